import type { TableRow } from './types.js';

/** The migrations' own bookkeeping: a store's schema, not its data, so backups leave it out. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** Settings first, so a restore can check the root key before it reads anything else; then by name. */
export function backupOrder(tables: readonly string[]): string[] {
  return [...tables].filter((t) => t !== MIGRATIONS_TABLE)
    .sort((a, b) => (a === 'settings' ? -1 : b === 'settings' ? 1 : a.localeCompare(b)));
}

/**
 * The columns of a row being restored, checked against the target's own tables and columns: table and column
 * names end up in SQL, and a backup file is input, not trusted code.
 */
export function restoredColumns(table: string, row: TableRow, columns: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const known = columns.get(table);
  if (!known || table === MIGRATIONS_TABLE) throw new Error(`the backup holds a table this store does not have: ${table}`);
  const names = Object.keys(row);
  for (const name of names) {
    if (!known.has(name)) throw new Error(`the backup holds a column this store does not have: ${table}.${name}`);
  }
  return names;
}

/** Restore writes only into a store without records; its settings (root-key check, salt) are replaced. */
export function refuseNonEmpty(table: string, hasRows: boolean): void {
  if (hasRows && table !== 'settings') throw new Error(`restore needs an empty store, and table ${table} has records`);
}
