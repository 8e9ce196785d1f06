import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import { MaterialPool, parsePoolSizes } from '../../src/ops/material-pool.js';
import { SqliteStore } from '../../src/store/sqlite.js';

test('the pool fills to its size in the background, hands each secret out once, and generates when empty', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-pool-'));
  const store = new SqliteStore(join(dir, 'trent.db'));
  const pool = new MaterialPool(store, new RootKey(randomBytes(32)), { ECC_NIST_P256: 5 }, 20);
  try {
    pool.start();
    for (let i = 0; i < 100 && (await store.countPooledSecrets('ECC_NIST_P256')) < 5; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.countPooledSecrets('ECC_NIST_P256'), 5);
    await pool.stop();
    const secrets = await Promise.all(Array.from({ length: 8 }, () => pool.secretFor('ECC_NIST_P256')));
    assert.equal(new Set(secrets.map((s) => s.toString('hex'))).size, 8, 'every secret is distinct');
    for (const s of secrets) assert.equal(createPrivateKey({ key: s, format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'ec');
    assert.equal(await store.countPooledSecrets('ECC_NIST_P256'), 0);
  } finally {
    await pool.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pool sizes parse from TRENT_KEY_POOL', () => {
  assert.deepEqual(parsePoolSizes('RSA_4096=32, RSA_2048=4'), { RSA_4096: 32, RSA_2048: 4 });
  assert.deepEqual(parsePoolSizes('0'), {});
  assert.throws(() => parsePoolSizes('RSA_4096=many'));
});
