import type Database from 'better-sqlite3';
import type { ChangeBatch, ChangeFeed } from './change-feed.js';
import type { ChangeRelay } from './change-relay.js';
import type { StoreOps } from './types.js';

/** A transaction waiting for the next group commit. */
interface Waiting {
  readonly fn: (tx: StoreOps) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly unread: boolean;
}

/**
 * Group commit on SQLite's one write connection: transactions that arrive while one is being committed are
 * run together in the next SQLite transaction, each inside its own SAVEPOINT (a failing one is rolled back
 * alone and rejected alone), and made durable by one COMMIT, one fsync. Each caller is answered only after
 * that COMMIT. Under load this turns an fsync per write into an fsync per batch; alone, a transaction commits
 * at once. With a relay, callers are answered once the other processes sharing the file have dropped what
 * the batch changed; the next batch does not wait for that.
 *
 * A batch of only `unread` transactions (audit records, which no request reads back) is committed without
 * SQLite's own fsync and made durable by an fdatasync of the WAL after COMMIT, before anyone is answered. With
 * synchronous=FULL, SQLite would fsync while it still holds the write lock, and a sibling worker's next batch
 * would wait out that fsync. Other writes keep synchronous=FULL, because another worker may read them as soon as
 * they are committed, and must never see a write a power loss could take back.
 *
 * That fdatasync blocks the event loop for its length (~0.1 ms here), as SQLite's own does for other writes.
 * Run on libuv's thread pool instead, it cost more than it saved: on a 2-core node, 27 % more CPU per request
 * and 20 % fewer Encrypts at 16 in flight (BENCHMARKS.md). Two wake-ups across threads per batch cost more in a
 * VM than the wait, and while one worker waits, its sibling has the core.
 */
export class GroupCommit {
  static readonly MAX_BATCH = 256;
  /** How long a batch waits for the write lock before its callers are told SQLite is busy. */
  static readonly LOCK_WAIT_MS = 10_000;
  private readonly waiting: Waiting[] = [];
  private committing = false;
  private drained: Promise<void> = Promise.resolve();
  /**
   * The WAL fdatasync that failed, if one did. Linux reports a failed writeback once and then marks the pages
   * clean, so a later fdatasync would succeed without writing them; and SQLite's recovery stops at the first WAL
   * frame missing after a crash, dropping every later commit with it. So from then on this store makes nothing
   * durable and says so: every later batch is refused, until the process restarts (after the disk is seen to).
   */
  private walFailure: unknown;
  /** Told each COMMIT's duration in seconds, until durable (the store's metrics). */
  commitTimer: ((seconds: number) => void) | undefined;
  /** The statements of every batch, prepared once: Database#exec and #pragma compile theirs on every call. */
  private readonly sql: Readonly<Record<'begin' | 'commit' | 'savepoint' | 'release' | 'rollbackTo' | 'syncNormal' | 'syncFull', Database.Statement>>;

  /** `ops` are the statements on `db`; `pending` collects their changes, emitted to `feed` (and `relay`) after COMMIT. */
  /** `syncWal` makes what is committed to the WAL durable (an fdatasync of the file). */
  constructor(private readonly db: Database.Database, private readonly ops: StoreOps,
    private readonly pending: ChangeBatch, private readonly feed: ChangeFeed, private readonly syncWal: () => void,
    private readonly relay?: ChangeRelay) {
    const statement = (text: string) => db.prepare(text);
    this.sql = {
      begin: statement('BEGIN IMMEDIATE'), commit: statement('COMMIT'), savepoint: statement('SAVEPOINT one'),
      release: statement('RELEASE one'), rollbackTo: statement('ROLLBACK TO one'),
      syncNormal: statement('PRAGMA synchronous = NORMAL'), syncFull: statement('PRAGMA synchronous = FULL'),
    };
  }

  /** `unread`: the transaction writes only what no request reads back (see the class comment). */
  run<T>(fn: (tx: StoreOps) => Promise<T>, unread = false): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject, unread });
      if (!this.committing) {
        // Set before any await, so a second caller in the same tick joins this loop instead of starting one.
        this.committing = true;
        this.drained = this.commitBatches();
      }
    });
  }

  /** Resolves when every transaction handed to `run` so far has been answered. */
  idle(): Promise<void> {
    return this.drained;
  }

  private async commitBatches(): Promise<void> {
    while (this.waiting.length > 0) await this.commitBatch(this.waiting.splice(0, GroupCommit.MAX_BATCH));
    // In the same step as the emptiness check above: no caller can slip in between and find nobody committing.
    this.committing = false;
  }

  /**
   * BEGIN IMMEDIATE, waiting for SQLite's write lock without blocking the event loop: another process on the
   * file (a sibling worker) holds it for one group commit, a few milliseconds. SQLite's own busy handler would
   * sleep inside the call, in steps growing to 100 ms, freezing this worker's reads and the relay's answers
   * (which every sibling's writes wait on) meanwhile. The connection's busy_timeout is 0 (sqlite.ts).
   */
  private async begin(): Promise<void> {
    const deadline = Date.now() + GroupCommit.LOCK_WAIT_MS;
    for (;;) {
      try {
        this.sql.begin.run();
        return;
      } catch (error) {
        if (!isBusy(error) || Date.now() > deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** One SQLite transaction for the batch. Never throws: every caller is answered, whatever SQLite does. */
  private async commitBatch(batch: Waiting[]): Promise<void> {
    if (this.walFailure !== undefined) {
      for (const t of batch) t.reject(this.walFailure);
      return;
    }
    const unread = batch.every((t) => t.unread);
    let committed: Committed | undefined;
    if (unread) this.sql.syncNormal.run();
    try {
      committed = await this.commitOnce(batch);
    } finally {
      if (unread) this.sql.syncFull.run();
    }
    if (!committed) return;
    const { outcomes, commitStarted } = committed;
    // Committed, so visible to readers: announced whatever the fdatasync then says.
    const changes = this.pending.drain();
    for (const change of changes) this.feed.emit(change);
    let durableAt = committed.committedAt;
    if (unread) {
      try {
        this.syncWal();
        durableAt = performance.now();
      } catch (error) {
        // Committed, but not known to be on disk: nobody is told it is, of this batch or any later one.
        this.walFailure = error;
        for (const t of batch) t.reject(error);
        return;
      }
    }
    // Until durable: SQLite's fsync is inside COMMIT, an unread batch's comes after it. A metric fails no commit.
    try {
      this.commitTimer?.((durableAt - commitStarted) / 1000);
    } catch { /* the batch is durable whatever the metric did */ }
    const answer = () => batch.forEach((t, i) => {
      const o = outcomes[i]!;
      if (o.ok) t.resolve(o.value);
      else t.reject(o.error);
    });
    if (this.relay && changes.length > 0) void this.relay.publish(changes).then(answer);
    else answer();
  }

  /**
   * BEGIN, each transaction in its SAVEPOINT, COMMIT: each one's outcome and when COMMIT began and ended, or
   * undefined when the batch as a whole failed (its callers are then rejected here).
   */
  private async commitOnce(batch: Waiting[]): Promise<Committed | undefined> {
    const outcomes: Outcome[] = [];
    let commitStarted = 0;
    let committedAt = 0;
    try {
      await this.begin();
    } catch (error) {
      for (const t of batch) t.reject(error);
      return undefined;
    }
    try {
      for (const t of batch) {
        this.sql.savepoint.run();
        const mark = this.pending.mark();
        try {
          outcomes.push({ ok: true, value: await t.fn(this.ops) });
          this.sql.release.run();
        } catch (error) {
          this.sql.rollbackTo.run();
          this.sql.release.run();
          this.pending.rollbackTo(mark);
          outcomes.push({ ok: false, error });
        }
      }
      commitStarted = performance.now();
      this.sql.commit.run();
      committedAt = performance.now();
    } catch (error) {
      // SQLite itself failed (disk full, I/O error, a transaction it rolled back on its own): nothing of the
      // batch is durable, so every caller hears so.
      try {
        this.db.exec('ROLLBACK');
      } catch { /* SQLite already rolled it back */ }
      this.pending.drain();
      for (const t of batch) t.reject(error);
      return undefined;
    }
    return { outcomes, commitStarted, committedAt };
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
interface Committed { readonly outcomes: Outcome[]; readonly commitStarted: number; readonly committedAt: number }

function isBusy(error: unknown): boolean {
  return error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('SQLITE_BUSY');
}
