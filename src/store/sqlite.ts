import Database from 'better-sqlite3';
import { closeSync, existsSync, fdatasyncSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChangeBatch, ChangeFeed } from './change-feed.js';
import type { ChangeRelay } from './change-relay.js';
import { KeyRecordCache } from './key-record-cache.js';
import { logMigration } from './migration-log.js';
import { MIGRATIONS, RECOUNT_KEYS } from './schema.js';
import { GroupCommit } from './sqlite-group-commit.js';
import { SqliteOps } from './sqlite-ops.js';
import { StoreBase } from './store-base.js';
import { backupOrder, MIGRATIONS_TABLE, refuseNonEmpty, restoredColumns } from './table-rows.js';
import type { AuditRecord, ChangeListener, KeyRecord, KeyRef, Store, StoreOps, StoreReads, TableRow } from './types.js';

type Row = Record<string, unknown>;

/**
 * The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a committed transaction is on
 * disk before the call returns. Writes go through one connection, one SQLite transaction at a time (SQLite has
 * a single writer anyway), which may carry several callers' transactions (group commit, sqlite-group-commit.ts);
 * reads use a second connection, so a reader never sees uncommitted writes.
 *
 * Given a relay to the other processes on the same file (the workers of one node), key records are also
 * cached in memory: every write's changes reach every process before the write is answered
 * (sqlite-group-commit.ts), so a cached record is never older than the last answered write.
 */
export class SqliteStore extends StoreBase implements Store {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  protected readonly reads: Promise<StoreReads>;
  private readonly feed = new ChangeFeed();
  /** The changes of the open transaction, emitted after its COMMIT. */
  private readonly pending = new ChangeBatch();
  private readonly commits: GroupCommit;
  private poll: NodeJS.Timeout | undefined;
  private readonly keys: KeyRecordCache | undefined;
  private readonly relayed: boolean;
  /** The WAL file, opened at the first fdatasync. */
  private walFd: number | undefined;
  static readonly POLL_MS = 1_000;

  constructor(private readonly path: string, relay?: ChangeRelay) {
    super();
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Made 0600 here whatever the umask: SQLite gives the -wal and -shm files the database file's mode.
      closeSync(openSync(path, 'a', 0o600));
    }
    this.writer = open(path);
    migrate(this.writer);
    // From here the write lock is waited for by the group commit, without blocking (sqlite-group-commit.ts).
    this.writer.pragma('busy_timeout = 0');
    this.reader = path === ':memory:' ? this.writer : open(path);
    this.reads = Promise.resolve(new SqliteOps(this.reader, this.pending));
    this.commits = new GroupCommit(this.writer, new SqliteOps(this.writer, this.pending), this.pending, this.feed,
      () => this.syncWal(), relay);
    this.relayed = relay !== undefined;
    if (relay) {
      relay.subscribe((changes) => { for (const change of changes) this.feed.emit(change); });
      this.keys = new KeyRecordCache();
      this.onChange((change) => this.keys!.apply(change));
    }
  }

  override getKey(ref: KeyRef): Promise<KeyRecord | undefined> {
    return this.keys ? this.keys.read(ref, () => super.getKey(ref)) : super.getKey(ref);
  }

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.commits.run(fn);
  }

  /** Audit records are read by no request: their batches commit without SQLite's fsync, then fdatasync the WAL (GroupCommit). */
  protected override commitAudit(records: readonly AuditRecord[]): Promise<void> {
    return this.commits.run((tx) => tx.insertAuditRecords(records), true);
  }

  /**
   * An fdatasync of the WAL file: what synchronous=FULL does at each commit, once the write lock is released
   * (sqlite-group-commit.ts). The file stays while this store's connections are open (SQLite removes it only
   * when the last connection closes), so one descriptor serves for the store's life.
   */
  private syncWal(): void {
    if (this.path === ':memory:') return;
    this.walFd ??= openSync(`${this.path}-wal`, 'r');
    fdatasyncSync(this.walFd);
  }

  get commitTimer(): ((seconds: number) => void) | undefined {
    return this.commits.commitTimer;
  }

  set commitTimer(timer: ((seconds: number) => void) | undefined) {
    this.commits.commitTimer = timer;
  }

  /**
   * Writes of this process are announced at commit. With a relay, the other workers' writes are announced as
   * the relay brings them (before they are answered), and nothing else is watched: the other processes that
   * write to a live server's file are the CLI's access-key commands, whose changes reach the server as its
   * cached access keys expire (AccessKeys.CACHE_MS). Without one (a process on its own, the CLI), SQLite's
   * data_version is polled: it moves when another connection commits, but cannot say what changed, so
   * listeners resync. Staleness then: at most POLL_MS.
   */
  onChange(listener: ChangeListener): () => void {
    const unsubscribe = this.feed.subscribe(listener);
    if (!this.poll && !this.relayed && this.path !== ':memory:') {
      let seen = this.writer.pragma('data_version', { simple: true });
      this.poll = setInterval(() => {
        const now = this.writer.pragma('data_version', { simple: true });
        if (now !== seen) this.feed.emit({ kind: 'resync' });
        seen = now;
      }, SqliteStore.POLL_MS);
      this.poll.unref();
    }
    return unsubscribe;
  }

  async schemaVersion(): Promise<number> {
    const row = this.reader.prepare(`SELECT COALESCE(MAX(version), 0) AS v FROM ${MIGRATIONS_TABLE}`).get() as Row;
    return Number(row.v);
  }

  /** One read transaction on a connection of its own, so the snapshot holds while the caller consumes it. */
  async *exportRows(): AsyncIterable<{ table: string; row: TableRow }> {
    const db = this.path === ':memory:' ? this.writer : new Database(this.path, { readonly: true });
    try {
      db.exec('BEGIN');
      for (const table of backupOrder([...columnsOf(db).keys()])) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as TableRow[]) yield { table, row };
      }
      db.exec('COMMIT');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (db !== this.writer) db.close();
    }
  }

  async importRows(rows: AsyncIterable<{ table: string; row: TableRow }>): Promise<void> {
    await this.transaction(async () => {
      const columns = columnsOf(this.writer);
      for (const table of columns.keys()) {
        if (table !== MIGRATIONS_TABLE) refuseNonEmpty(table, this.writer.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get() !== undefined);
      }
      this.writer.exec('DELETE FROM settings');
      for await (const { table, row } of rows) {
        const names = restoredColumns(table, row, columns);
        this.writer.prepare(`INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')})
                             VALUES (${names.map(() => '?').join(', ')})`).run(...names.map((n) => row[n]));
      }
      this.writer.exec(RECOUNT_KEYS);
      this.pending.add({ kind: 'resync' });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    await this.commits.idle();
    if (this.walFd !== undefined) closeSync(this.walFd);
    this.walFd = undefined;
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }
}

/**
 * What the SQLite file at `path` holds, checked before a server starts on it: 'none' (absent, empty, or with no
 * table yet: a store is to be made) or 'store' (Trent's schema, and pages that pass SQLite's quick_check).
 * A damaged file, or a database that is not Trent's, throws one line saying so.
 */
export function inspectSqliteFile(path: string): 'none' | 'store' {
  if (!existsSync(path) || statSync(path).size === 0) return 'none';
  let db: Database.Database | undefined;
  let tables: string[];
  let problems: string[];
  try {
    db = new Database(path, { fileMustExist: true });
    tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Row[]).map((r) => String(r.name));
    problems = (db.pragma('quick_check(3)') as Row[]).map((r) => String(r.quick_check)).filter((r) => r !== 'ok');
  } catch (e) {
    throw new Error(`${path} is damaged or not a SQLite database (${e instanceof Error ? e.message : String(e)}): restore it from a backup`);
  } finally {
    db?.close();
  }
  if (problems.length > 0) throw new Error(`${path} is damaged (SQLite quick_check: ${problems.join('; ')}): restore it from a backup`);
  if (tables.length === 0) return 'none';
  if (!tables.includes(MIGRATIONS_TABLE)) throw new Error(`${path} is a SQLite database, but not a Trent store`);
  return 'store';
}

function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Applies the migrations not yet applied, each in its own transaction; safe against a concurrent starter. */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  const applied = Number((db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as Row).v);
  logMigration(applied, MIGRATIONS.length);
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version)) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
  });
}

/** Each table's columns, from the schema itself. */
function columnsOf(db: Database.Database): Map<string, Set<string>> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Row[];
  return new Map(tables.map((t) => {
    const name = t.name as string;
    const cols = db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as Row[];
    return [name, new Set(cols.map((c) => c.name as string))];
  }));
}
