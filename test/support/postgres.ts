import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * PostgreSQL for tests. TRENT_TEST_DATABASE_URL names a server (any database on it: tests create their own);
 * by default the local one of the development and CI machines.
 */
export const POSTGRES_SERVER_URL = process.env.TRENT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of its own for one test or one test server, dropped with `drop`. */
export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_SERVER_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `trent_test_${randomBytes(8).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * The `skip` option of a suite that needs PostgreSQL: false when the server answers; a visible reason when
 * it does not, except under CI (CI=true), where an unreachable PostgreSQL fails the suite instead.
 */
export async function skipWithoutPostgres(): Promise<string | false> {
  try {
    await onServer('SELECT 1');
    return false;
  } catch (e) {
    const where = new URL(POSTGRES_SERVER_URL);
    where.password = '';
    const reason = `PostgreSQL is not reachable at ${where.host} (${e instanceof Error ? e.message : String(e)})`;
    if (process.env.CI === 'true') throw new Error(`${reason}, and under CI the PostgreSQL tests must run`);
    console.warn(`NOTICE: ${reason}: skipping the PostgreSQL tests (set TRENT_TEST_DATABASE_URL, or CI=true to fail instead)`);
    return reason;
  }
}
