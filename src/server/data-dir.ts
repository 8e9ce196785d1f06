import { chmodSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { inspectSqliteFile } from '../store/sqlite.js';
import type { Config } from './config.js';

/**
 * The data directory: the SQLite store (trent.db and its -wal/-shm, the audit trail among its tables) and root.key. Only Trent's
 * own user may read any of it: with a passphrase, the store's scrypt salt and check value are enough to guess
 * the passphrase offline, and the audit log says who did what to which key. The CLI sets the umask to 077 before
 * anything is created (cli/main.ts), so new files are 0600 and new directories 0700; this tightens a directory
 * made by an earlier Trent (or by hand) at each start.
 */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) chmodSync(path, 0o700);
    else if (entry.isFile()) chmodSync(path, 0o600);
  }
}

/**
 * Throws unless the SQLite store in the data directory is sound (SQLite's quick_check) or is yet to be made in a
 * directory that never had one. Run before the store is opened (which would make a new one) by the server's
 * start and by the CLI commands that could otherwise create it (not by restore: that fills a new store).
 */
export function refuseLostStore(config: Config): void {
  if (config.databaseUrl) return;
  const file = join(config.dataDir, 'trent.db');
  const trace = inspectSqliteFile(file) === 'none' ? traceOfEarlierStore(config.dataDir) : undefined;
  if (trace) {
    throw new Error(`${file} holds no store, but ${trace} shows one was here: refusing to make a new one ` +
      '(restore a backup with trent restore, or start on an empty data directory)');
  }
}

/**
 * Signs that a store existed in `dir`: its root.key, or the audit log files Trent kept there before the trail
 * moved into the store. A store missing beside them was lost
 * (deleted, truncated, a disk swapped), and starting afresh would silently make a new store with a new
 * administrator over it.
 */
function traceOfEarlierStore(dir: string): string | undefined {
  if (existsSync(join(dir, 'root.key'))) return join(dir, 'root.key');
  const audit = join(dir, 'audit');
  if (existsSync(audit) && readdirSync(audit).length > 0) return audit;
  return undefined;
}
