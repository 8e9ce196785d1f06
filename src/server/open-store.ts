import { join } from 'node:path';
import type { ChangeRelay } from '../store/change-relay.js';
import { PostgresStore } from '../store/postgres.js';
import { SqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/types.js';
import type { Config } from './config.js';

/**
 * PostgreSQL when a postgres:// URL is configured (several nodes share it), else SQLite in the data directory.
 * `relay` joins a server's worker to the other workers of its node; PostgreSQL has its own (LISTEN/NOTIFY).
 */
export function openStore(config: Config, relay?: ChangeRelay): Store {
  if (!config.databaseUrl) return new SqliteStore(join(config.dataDir, 'trent.db'), relay);
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    throw new Error('--database must be a postgres:// URL (leave it unset to use SQLite in the data directory)');
  }
  return new PostgresStore(config.databaseUrl);
}
