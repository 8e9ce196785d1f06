import pg from 'pg';
import { ChangeBatch, ChangeFeed } from './change-feed.js';
import { codeOf, ident, rollback, TYPES, type Queryable, type Row } from './postgres-connection.js';
import { appliedVersion, migrate } from './postgres-migrate.js';
import { ChangeNotifier } from './postgres-notify.js';
import { PostgresOps } from './postgres-ops.js';
import { StoreBase } from './store-base.js';
import { RECOUNT_KEYS } from './schema.js';
import { backupOrder, MIGRATIONS_TABLE, refuseNonEmpty, restoredColumns } from './table-rows.js';
import type { ChangeListener, Store, StoreOps, StoreReads, TableRow } from './types.js';
import { log } from '../util/log.js';

/** Deadlocks and serialization failures are PostgreSQL asking for the transaction to be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 3;

/**
 * PostgreSQL, for several Trent nodes on one database. Reads go to any pooled connection (each statement its
 * own snapshot); a transaction runs on one connection at READ COMMITTED, and every read-modify-write locks its
 * key with SELECT ... FOR UPDATE (lockKey), so concurrent nodes serialize on the row instead of losing updates.
 * Each transaction NOTIFYs its changes on commit; other nodes LISTEN and drop what they cached (postgres-notify.ts).
 *
 * Opening is synchronous (like SqliteStore) and the migrations run in the background: every method waits
 * for them, so the first call reports a database that cannot be reached or migrated.
 */
export class PostgresStore extends StoreBase implements Store {
  commitTimer: ((seconds: number) => void) | undefined;
  private readonly pool: pg.Pool;
  private readonly opened: Promise<void>;
  protected readonly reads: Promise<StoreReads>;
  private readonly feed = new ChangeFeed();
  private readonly notifier: ChangeNotifier;

  /**
   * `poolSize` is per process: a node opens at most workers × (poolSize + 1 listening) connections, and idle
   * ones close after ten seconds.
   */
  constructor(url: string, poolSize = 8) {
    super();
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types: TYPES });
    // An idle pooled connection that breaks (database restart) is dropped and replaced; without a listener
    // the error would end the process.
    this.pool.on('error', (e) => log.error(`postgres: an idle connection failed: ${e.message}`));
    this.opened = migrate(this.pool);
    this.opened.catch(() => undefined);
    // Single reads run on the pool, outside any transaction, so they announce nothing.
    this.reads = this.opened.then(() => new PostgresOps(this.pool, new ChangeBatch()));
    this.reads.catch(() => undefined);
    this.notifier = new ChangeNotifier(url, this.feed);
  }

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.retrying(() => this.inTransaction((client, batch) => fn(new PostgresOps(client, batch))));
  }

  onChange(listener: ChangeListener): () => void {
    const unsubscribe = this.feed.subscribe(listener);
    this.notifier.start();
    return unsubscribe;
  }

  async schemaVersion(): Promise<number> {
    await this.opened;
    return appliedVersion(this.pool);
  }

  async *exportRows(): AsyncIterable<{ table: string; row: TableRow }> {
    await this.opened;
    const client = await this.pool.connect();
    let finished = false;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const table of backupOrder([...(await columnsOf(client)).keys()])) {
        await client.query(`DECLARE backup_rows NO SCROLL CURSOR FOR SELECT * FROM ${ident(table)}`);
        for (let rows = await nextRows(client); rows.length; rows = await nextRows(client)) {
          for (const row of rows) yield { table, row };
        }
        await client.query('CLOSE backup_rows');
      }
      await client.query('COMMIT');
      finished = true;
    } finally {
      // A reader that stopped early leaves the snapshot open: close it before the connection goes back.
      client.release(finished ? undefined : await rollback(client));
    }
  }

  async importRows(rows: AsyncIterable<{ table: string; row: TableRow }>): Promise<void> {
    await this.inTransaction(async (client, batch) => {
      const columns = await columnsOf(client);
      for (const table of columns.keys()) {
        if (table === MIGRATIONS_TABLE) continue;
        const { rows: [any] } = await client.query<Row>(`SELECT EXISTS (SELECT 1 FROM ${ident(table)}) AS has`);
        refuseNonEmpty(table, any?.has === true);
      }
      await client.query('DELETE FROM settings');
      for await (const { table, row } of rows) {
        const names = restoredColumns(table, row, columns);
        await client.query(`INSERT INTO ${ident(table)} (${names.map(ident).join(', ')})
                            VALUES (${names.map((_n, i) => `$${i + 1}`).join(', ')})`, names.map((n) => row[n]));
      }
      await client.query(RECOUNT_KEYS);
      batch.add({ kind: 'resync' });
    });
  }

  async close(): Promise<void> {
    await this.notifier.close();
    await this.pool.end();
  }

  private async retrying<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        if (attempt >= ATTEMPTS || !RETRYABLE.has(codeOf(e))) throw e;
      }
    }
  }

  /** BEGIN … COMMIT on one pooled connection; the batch's changes are NOTIFYd in it and emitted here after it. */
  private async inTransaction<T>(fn: (client: pg.PoolClient, batch: ChangeBatch) => Promise<T>): Promise<T> {
    await this.opened;
    const client = await this.pool.connect();
    const batch = new ChangeBatch();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client, batch);
      const changes = batch.drain();
      if (changes.length) await this.notifier.notify(client, changes);
      const started = performance.now();
      await client.query('COMMIT');
      this.commitTimer?.((performance.now() - started) / 1000);
      for (const change of changes) this.feed.emit(change);
      return result;
    } catch (e) {
      broken = await rollback(client);
      throw e;
    } finally {
      client.release(broken);
    }
  }
}

async function columnsOf(db: Queryable): Promise<Map<string, Set<string>>> {
  const { rows } = await db.query<Row>(`SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`);
  const columns = new Map<string, Set<string>>();
  for (const r of rows) {
    const table = r.table_name as string;
    columns.set(table, (columns.get(table) ?? new Set()).add(r.column_name as string));
  }
  return columns;
}

async function nextRows(client: pg.PoolClient): Promise<TableRow[]> {
  return (await client.query<TableRow>('FETCH 500 FROM backup_rows')).rows;
}
