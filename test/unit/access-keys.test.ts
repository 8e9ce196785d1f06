import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import { AccessKeys } from '../../src/server/access-keys.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { signingKey } from '../../src/util/sigv4.js';

/** A store that counts its access key reads. */
function counting(store: Store): { store: Store; reads: () => number } {
  let reads = 0;
  const wrapped = Object.assign(Object.create(store) as Store, {
    getAccessKey: (id: string) => { reads++; return store.getAccessKey(id); },
  });
  return { store: wrapped, reads: () => reads };
}

test('a flood of unknown access key IDs does not evict the known ones', async () => {
  const sqlite = new SqliteStore(':memory:');
  try {
    const { store, reads } = counting(sqlite);
    const keys = new AccessKeys(store, new RootKey(randomBytes(32)));
    const made = await keys.create('111122223333', 'alice');
    assert.deepEqual((await keys.lookup(made.accessKeyId))?.signingKeys.for('20240101', 'us-east-1', 'kms'),
      signingKey(made.secretAccessKey, '20240101', 'us-east-1', 'kms'));
    for (let i = 0; i < 20_000; i++) assert.equal(await keys.lookup(`AKIA${i}`), undefined);
    const before = reads();
    assert.equal((await keys.lookup(made.accessKeyId))?.principal, 'iam::111122223333:user/alice');
    assert.equal(reads(), before, 'the known key was still cached');
    // An unknown ID seen again within the expiry is answered from the cache too.
    await keys.lookup('AKIA19999');
    assert.equal(reads(), before);
  } finally {
    await sqlite.close();
  }
});
