import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';

test('concurrent transactions commit together, and one that fails is undone alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-group-'));
  const store = new SqliteStore(join(dir, 'trent.db'));
  try {
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.transaction(async (tx) => {
      await tx.putSetting(`s${i}`, String(i));
      if (i % 7 === 3) throw new Error(`refused ${i}`);
      return i;
    })));
    results.forEach((r, i) => {
      if (i % 7 === 3) assert.equal(r.status, 'rejected');
      else assert.deepEqual(r, { status: 'fulfilled', value: i });
    });
    for (let i = 0; i < 50; i++) {
      assert.equal(await store.getSetting(`s${i}`), i % 7 === 3 ? undefined : String(i), `s${i}`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('when SQLite itself fails, every caller of the batch hears it and later transactions still run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-group-'));
  const store = new SqliteStore(join(dir, 'trent.db'));
  const writer = (store as unknown as { writer: { exec(sql: string): unknown } }).writer;
  const exec = writer.exec.bind(writer);
  try {
    const failOnce = new Set(['BEGIN IMMEDIATE', 'COMMIT']);
    writer.exec = (sql: string) => {
      if (failOnce.delete(sql)) throw new Error(`disk I/O error (simulated at ${sql})`);
      return exec(sql);
    };
    await assert.rejects(store.transaction((tx) => tx.putSetting('a', '1')), /simulated at BEGIN/);
    await assert.rejects(store.transaction((tx) => tx.putSetting('b', '1')), /simulated at COMMIT/);
    assert.equal(await store.getSetting('b'), undefined);
    await store.transaction((tx) => tx.putSetting('c', '1'));
    assert.equal(await store.getSetting('c'), '1');
  } finally {
    writer.exec = exec;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
