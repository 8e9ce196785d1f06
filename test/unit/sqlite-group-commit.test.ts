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
