import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { wrapIdentity, type RootKey } from '../../src/keys/root-key.js';
import { loadRootKey, ROOT_PASSPHRASE_ENV } from '../../src/server/root-key-source.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres.js';

const ENV = { [ROOT_PASSPHRASE_ENV]: 'one passphrase for every node' };

/** Two root keys are the same when what one wraps the other unwraps. */
function assertSameKey(a: RootKey, b: RootKey): void {
  const wrapped = a.wrap(wrapIdentity.rootCheck(), Buffer.from('same?'));
  assert.equal(b.unwrap(wrapIdentity.rootCheck(), wrapped).toString(), 'same?');
}

/** Two starts racing on an empty store with the same passphrase (on PostgreSQL: two nodes, two handles). */
async function raceTwoStarts(stores: readonly [Store, Store], dataDir: string): Promise<void> {
  const [a, b] = await Promise.all(stores.map((s) => loadRootKey(s, dataDir, ENV)));
  assertSameKey(a!, b!);
  const salts = await Promise.all(stores.map((s) => s.getSetting('root-key.scrypt-salt')));
  const checks = await Promise.all(stores.map((s) => s.getSetting('root-key.check')));
  assert.equal(salts[0], salts[1]);
  assert.equal(checks[0], checks[1]);
  // A later start derives the same key again from what was stored.
  assertSameKey(a!, await loadRootKey(stores[0], dataDir, ENV));
}

describe('root key from a passphrase: nodes starting together agree on the salt and check value', async () => {
  const postgresSkip = await skipWithoutPostgres();

  test('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trent-root-'));
    // One handle: a second SQLite writer in the same process would block this one's event loop on the file lock.
    const store = new SqliteStore(join(dir, 'trent.db'));
    try {
      await raceTwoStarts([store, store], dir);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL', { skip: postgresSkip }, async () => {
    const db = await createTestDatabase();
    const stores = [new PostgresStore(db.url), new PostgresStore(db.url)] as const;
    try {
      await raceTwoStarts(stores, tmpdir());
    } finally {
      await Promise.all(stores.map((s) => s.close()));
      await db.drop();
    }
  });
});
