import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MIGRATIONS } from '../../src/store/schema.js';
import { SqliteStore } from '../../src/store/sqlite.js';

/** The migration that brought IAM: the first one whose SQL makes the identities table. */
const IAM_MIGRATION = MIGRATIONS.findIndex((sql) => sql.includes('CREATE TABLE iam_identities'));

test('access keys made before IAM keep working: the administrator\'s becomes the root\'s, the others\' users become IAM users', async () => {
  assert.ok(IAM_MIGRATION > 0);
  const dir = mkdtempSync(join(tmpdir(), 'trent-iam-migration-'));
  try {
    const path = join(dir, 'trent.db');
    const db = new Database(path);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    MIGRATIONS.slice(0, IAM_MIGRATION).forEach((sql, i) => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(i + 1, 0);
    });
    const insert = db.prepare('INSERT INTO access_keys (access_key_id, account_id, user_name, created_at, wrapped_secret) VALUES (?, ?, ?, ?, ?)');
    insert.run('AKIAADMINADMINADMIN1', '111122223333', 'admin', 1, Buffer.from('a'));
    insert.run('AKIABOBBOBBOBBOBBOB1', '111122223333', 'bob', 2, Buffer.from('b'));
    insert.run('AKIABOBBOBBOBBOBBOB2', '111122223333', 'bob', 3, Buffer.from('c'));
    insert.run('AKIACAROLCAROLCAROL1', '444455556666', 'carol', 4, Buffer.from('d'));
    db.close();

    const store = new SqliteStore(path);
    try {
      assert.equal(await store.schemaVersion(), MIGRATIONS.length);
      const admin = await store.getAccessKey('AKIAADMINADMINADMIN1');
      assert.deepEqual([admin?.userName, admin?.status], [undefined, 'Active']);
      assert.deepEqual((await store.listAccessKeysOf('111122223333', 'bob')).map((k) => k.accessKeyId),
        ['AKIABOBBOBBOBBOBBOB1', 'AKIABOBBOBBOBBOBBOB2']);
      const bob = await store.getIdentity('111122223333', 'user', 'bob');
      assert.deepEqual([bob?.name, bob?.path, bob?.createdAt.getTime()], ['bob', '/', 2]);
      assert.match(bob!.id, /^AIDA/);
      assert.equal((await store.getIdentity('444455556666', 'user', 'carol'))?.name, 'carol');
      assert.equal(await store.getIdentity('111122223333', 'user', 'admin'), undefined);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
