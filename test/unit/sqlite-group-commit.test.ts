import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ChangeRelay } from '../../src/store/change-relay.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { changeId, type Change, type KeyRecord } from '../../src/store/types.js';

const sampleKey = (): KeyRecord => ({
  accountId: '111122223333', region: 'us-west-2', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  createdAt: new Date(1_700_000_000_000), description: '', keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', multiRegion: false, policy: '{}',
});

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
  // The group commit runs its BEGIN and COMMIT as statements prepared once: each fails once, as a disk would.
  const statements = (store as unknown as { commits: { sql: Record<'begin' | 'commit', { run(): unknown }> } }).commits.sql;
  const restore: Array<() => void> = [];
  try {
    for (const [name, sql] of [['begin', 'BEGIN'], ['commit', 'COMMIT']] as const) {
      const statement = statements[name];
      const run = statement.run;
      restore.push(() => { statement.run = run; });
      statement.run = () => {
        statement.run = run;
        throw new Error(`disk I/O error (simulated at ${sql})`);
      };
    }
    await assert.rejects(store.transaction((tx) => tx.putSetting('a', '1')), /simulated at BEGIN/);
    await assert.rejects(store.transaction((tx) => tx.putSetting('b', '1')), /simulated at COMMIT/);
    assert.equal(await store.getSetting('b'), undefined);
    await store.transaction((tx) => tx.putSetting('c', '1'));
    assert.equal(await store.getSetting('c'), '1');
  } finally {
    for (const undo of restore) undo();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const auditRecord = (eventId: string) => ({
  eventId, eventTime: new Date(1_700_000_000_000), eventName: 'Encrypt', principal: '', accessKeyId: '', errorCode: '',
  resources: '', doc: '{}',
});

/** Runs `body` on a fresh store whose WAL fdatasync is `fake` (given the real one), with the commit times its metric is told. */
async function withFakeWalSync(fake: (real: () => void) => void,
  body: (store: SqliteStore, timed: number[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trent-group-'));
  const store = new SqliteStore(join(dir, 'trent.db'));
  const wal = store as unknown as { syncWal(): void };
  const real = wal.syncWal.bind(store);
  wal.syncWal = () => fake(real);
  const timed: number[] = [];
  store.commitTimer = (seconds) => timed.push(seconds);
  try {
    await body(store, timed);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("an audit batch's commit is timed until its WAL fdatasync has returned", async () => {
  // A slow disk: the batch is durable only once the wait is over, and the metric counts it.
  const slowDisk = (real: () => void) => {
    const until = performance.now() + 30;
    while (performance.now() < until) { /* waiting on the disk */ }
    real();
  };
  await withFakeWalSync(slowDisk, async (store, timed) => {
    await store.appendAudit(auditRecord('a'));
    assert.equal(timed.length, 1);
    assert.ok(timed[0]! >= 0.03, `the commit's time includes its fdatasync (${timed[0]} s)`);
  });
});

test('once a WAL fdatasync has failed, its batch and every later write are refused: none can be known durable', async () => {
  let syncs = 0;
  const failingOnce = (real: () => void) => {
    syncs++;
    if (syncs === 1) throw new Error('EIO: i/o error, fdatasync (simulated)');
    real();
  };
  await withFakeWalSync(failingOnce, async (store, timed) => {
    await assert.rejects(Promise.all([store.appendAudit(auditRecord('a')), store.appendAudit(auditRecord('b'))]), /simulated/);
    // Linux reports a failed writeback once: a later fdatasync could succeed without the lost pages.
    await assert.rejects(store.appendAudit(auditRecord('c')), /simulated/);
    await assert.rejects(store.transaction((tx) => tx.putSetting('s', '1')), /simulated/);
    assert.equal(syncs, 1, 'nothing after the failure was committed or synced');
    assert.equal(await store.getSetting('s'), undefined);
    assert.deepEqual(timed, [], 'no batch was timed as durable');
  });
});

test('with a relay, a write is answered only once the other processes have its changes, and the cache follows them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-group-'));
  const published: Change[][] = [];
  let deliver = () => {};
  let remote: (changes: readonly Change[]) => void = () => {};
  const relay: ChangeRelay = {
    publish: (changes) => new Promise((resolve) => { published.push([...changes]); deliver = resolve; }),
    subscribe: (listener) => { remote = listener; },
  };
  const store = new SqliteStore(join(dir, 'trent.db'), relay);
  const other = new SqliteStore(join(dir, 'trent.db'));
  try {
    const key = { ...sampleKey(), description: 'first' };
    const inserting = store.transaction((tx) => tx.insertKey(key));
    let answered = false;
    void inserting.then(() => { answered = true; });
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(answered, false, 'answered before the relay delivered');
    assert.deepEqual(published, [[{ kind: 'key', id: changeId.key(key) }]]);
    deliver();
    await inserting;

    // Cached on its second read; a change another process commits is seen once the relay brings it.
    assert.equal((await store.getKey(key))!.description, 'first');
    assert.ok(Object.isFrozen(await store.getKey(key)));
    await other.transaction((tx) => tx.updateKey({ ...key, description: 'second' }));
    assert.equal((await store.getKey(key))!.description, 'first', 'the cache answers until told');
    remote([{ kind: 'key', id: changeId.key(key) }]);
    assert.equal((await store.getKey(key))!.description, 'second');
  } finally {
    await other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
