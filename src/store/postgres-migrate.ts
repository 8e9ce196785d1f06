import type pg from 'pg';
import { rollback, type Queryable, type Row } from './postgres-connection.js';
import { logMigration } from './migration-log.js';
import { MIGRATIONS } from './schema.js';
import { MIGRATIONS_TABLE } from './table-rows.js';

/** The advisory lock (one bigint) migrations run under. */
const MIGRATION_LOCK = '7630166453752374898';

/**
 * Applies the migrations not yet applied, in one transaction under an advisory lock, so nodes starting
 * together apply each exactly once and the others wait until the schema is complete.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const applied = await appliedVersion(client);
    logMigration(applied, MIGRATIONS.length);
    for (let version = applied + 1; version <= MIGRATIONS.length; version++) {
      await client.query(forPostgres(MIGRATIONS[version - 1]!));
      await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (version, applied_at) VALUES ($1, $2)`, [version, Date.now()]);
    }
    await client.query('COMMIT');
  } catch (e) {
    broken = await rollback(client);
    throw e;
  } finally {
    client.release(broken);
  }
}

/**
 * The shared migrations, adjusted where PostgreSQL must differ: text compares byte by byte (COLLATE "C"), as in
 * SQLite, so listings page in the same order on both and the primary keys' indexes serve those orders.
 */
function forPostgres(sql: string): string {
  return sql.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"');
}

export async function appliedVersion(db: Queryable): Promise<number> {
  const { rows: [row] } = await db.query<Row>(`SELECT COALESCE(MAX(version), 0) AS v FROM ${MIGRATIONS_TABLE}`);
  return Number(row?.v ?? 0);
}
