import { log } from '../util/log.js';

/** Says what a start is about to spend time on: making a new store's schema, or migrating an older one. */
export function logMigration(applied: number, latest: number): void {
  if (applied >= latest) return;
  log.info(applied === 0 ? `creating the store's schema (${latest} migrations)` : `migrating the store's schema from version ${applied} to ${latest}`);
}
