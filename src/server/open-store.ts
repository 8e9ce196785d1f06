import { join } from 'node:path';
import { PostgresStore } from '../store/postgres.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import type { Config } from './config.js';

/** PostgreSQL when a postgres:// URL is configured (several nodes share it), else SQLite in the data directory. */
export function openStore(config: Config): Store {
  if (!config.databaseUrl) return new SqliteStore(join(config.dataDir, 'trent.db'));
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('--database must be a postgres:// URL (leave it unset to use SQLite in the data directory)');
  }
  return new PostgresStore(config.databaseUrl);
}
