// The end-to-end suites once more, with every test server on a fresh PostgreSQL database of its own
// (test/support/trent.ts reads TRENT_TEST_DATABASE_URL). Without a reachable PostgreSQL the pass is skipped
// with a notice, except under CI (CI=true), where it fails. The multi-node suites are left out: they always
// run on PostgreSQL, in the first pass. So is the web console's: it is a client of the API, blind to the store.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const url = process.env.TRENT_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const e2e = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'test', 'e2e');

const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
try {
  await client.connect();
  await client.end();
} catch (e) {
  const where = new URL(url);
  const reason = `PostgreSQL is not reachable at ${where.host} (${e instanceof Error ? e.message : String(e)})`;
  if (process.env.CI === 'true') {
    console.error(`${reason}: under CI the end-to-end suites must also pass on PostgreSQL`);
    process.exit(1);
  }
  console.warn(`NOTICE: ${reason}: skipping the end-to-end suites on PostgreSQL (CI=true makes this a failure)`);
  process.exit(0);
}

// These start no server on the configured store: the package's and the in-process Trents always use SQLite, and
// the console's browser tests are about the page, not the store.
const STORE_BLIND = ['package.test.js', 'start-trent.test.js', 'vitest.test.js', 'console.test.js'];
const files = readdirSync(e2e).filter((f) => f.endsWith('.test.js') && !f.startsWith('multi-node') && !STORE_BLIND.includes(f))
  .map((f) => join(e2e, f));
console.log(`End-to-end suites on PostgreSQL (${files.length} files)`);
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files],
  { stdio: 'inherit', env: { ...process.env, TRENT_TEST_DATABASE_URL: url } });
process.exit(run.status ?? 1);
