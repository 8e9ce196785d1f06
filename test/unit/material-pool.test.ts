import assert from 'node:assert/strict';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import { MaterialPool } from '../../src/ops/material-pool.js';
import { parsePoolSizes } from '../../src/ops/pool-sizes.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres.js';

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
  assert.throws(() => parsePoolSizes('RSA_9999=4'), /not a key spec/);
});

/** Two nodes' refills racing on one pool: together they fill it to its size, not to twice its size. */
async function twoNodesRefill(stores: readonly [Store, Store]): Promise<void> {
  const root = new RootKey(randomBytes(32));
  const pools = stores.map((s) => new MaterialPool(s, root, { ECC_NIST_P256: 6 }, 5));
  try {
    for (const p of pools) p.start();
    for (let i = 0; i < 100 && (await stores[0].countPooledSecrets('ECC_NIST_P256')) < 6; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100)); // more refill passes on both
  } finally {
    await Promise.all(pools.map((p) => p.stop()));
  }
  assert.equal(await stores[1].countPooledSecrets('ECC_NIST_P256'), 6);
}

test('two nodes refilling one pool fill it to its size (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-pool-'));
  // One handle: a second SQLite writer in one process would block the event loop on the file lock.
  const store = new SqliteStore(join(dir, 'trent.db'));
  try {
    await twoNodesRefill([store, store]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two nodes refilling one pool fill it to its size (PostgreSQL)', { skip: await skipWithoutPostgres() }, async () => {
  const db = await createTestDatabase();
  const stores = [new PostgresStore(db.url), new PostgresStore(db.url)] as const;
  try {
    await twoNodesRefill(stores);
  } finally {
    await Promise.all(stores.map((s) => s.close()));
    await db.drop();
  }
});
