import { createReadStream } from 'node:fs';
import { open, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { exportSeed } from '../ops/seed/export-seed.js';
import { refuseLostStore } from '../server/data-dir.js';
import { openStore } from '../server/open-store.js';
import type { Config } from '../server/config.js';
import { loadRootKey } from '../server/root-key-source.js';
import { MIGRATIONS } from '../store/schema.js';
import type { TableRow } from '../store/types.js';

/**
 * `trent migrate`, `trent backup FILE`, `trent restore FILE`: the store's schema and its contents, for either
 * backend. A backup is JSON lines (a header, then one row per line, bytes in base64) read from one consistent
 * snapshot, so it can be taken while nodes serve. It holds the records as stored: secrets wrapped under the
 * root key, never the root key itself, so a backup is useless without the root key kept elsewhere. Restore
 * goes into an empty store, and only when the configured root key unwraps the backup's check value.
 */
const FORMAT = 'trent-backup';
const VERSION = 1;

interface Header {
  readonly format: string;
  readonly version: number;
  readonly schemaVersion: number;
  readonly createdAt: string;
}

type Line = { table: string; row: Record<string, string | number | null | { base64: string }> };

export async function migrateCommand(config: Config): Promise<number> {
  refuseLostStore(config);
  const store = openStore(config);
  try {
    console.log(`schema at version ${await store.schemaVersion()} (this Trent knows ${MIGRATIONS.length})`);
    return 0;
  } finally {
    await store.close();
  }
}

/**
 * `trent export --data-dir DIR | --database URL [FILE]`: a seed file of a store's keys and aliases (ops/seed), read
 * from the store itself, so a serve store's keys can be described too: never with material (only a running dev
 * server writes that, through its admin endpoint), so the root key is not needed.
 */
export async function exportStoreCommand(config: Config, file: string | undefined, includeMaterial: boolean): Promise<number> {
  if (includeMaterial) {
    throw new Error('--include-material is for a running dev server (trent export --endpoint URL): a store read directly is exported without material');
  }
  refuseLostStore(config);
  const store = openStore(config);
  try {
    const seed = await exportSeed(store, { accountId: config.accountId, region: config.defaultRegion });
    if (file === undefined) process.stdout.write(seed);
    else await writeFile(file, seed, { mode: 0o600 });
    return 0;
  } finally {
    await store.close();
  }
}

export async function backupCommand(config: Config, file: string | undefined): Promise<number> {
  if (!file) throw new Error('usage: trent backup FILE');
  refuseLostStore(config);
  // 'wx': never overwrite an earlier backup; 0600: wrapped secrets are still secrets' business.
  const out = await open(file, 'wx', 0o600);
  const store = openStore(config);
  let rows = 0;
  let complete = false;
  try {
    const header: Header = { format: FORMAT, version: VERSION, schemaVersion: await store.schemaVersion(), createdAt: new Date().toISOString() };
    let chunk = `${JSON.stringify(header)}\n`;
    for await (const { table, row } of store.exportRows()) {
      chunk += `${JSON.stringify(encodeRow(table, row))}\n`;
      rows++;
      if (chunk.length > 1 << 20) {
        await out.write(chunk);
        chunk = '';
      }
    }
    await out.write(chunk);
    await out.sync();
    complete = true;
  } finally {
    await out.close();
    await store.close();
    if (!complete) await rm(file, { force: true });
  }
  console.log(`backed up ${rows} rows to ${file} (the root key is not in it: keep it apart)`);
  return 0;
}

export async function restoreCommand(config: Config, file: string | undefined): Promise<number> {
  if (!file) throw new Error('usage: trent restore FILE');
  const header = await headerOf(file);
  const settings = new Map<string, string>();
  for await (const { table, row } of rowsOf(file)) {
    if (table === 'settings') settings.set(String(row.name), String(row.value));
  }
  try {
    await loadRootKey({
      getSetting: async (name) => settings.get(name),
      putSettingIfAbsent: async () => { throw new Error('the backup records no root-key check value to verify the root key against'); },
    }, config.dataDir);
  } catch (e) {
    throw new Error(`restore refused: ${e instanceof Error ? e.message : String(e)}`);
  }
  const store = openStore(config);
  try {
    const version = await store.schemaVersion();
    if (header.schemaVersion > version) {
      throw new Error(`restore refused: the backup's schema (version ${header.schemaVersion}) is newer than this Trent's (${version})`);
    }
    let rows = 0;
    await store.importRows((async function* () {
      for await (const line of rowsOf(file)) {
        rows++;
        yield line;
      }
    })());
    console.log(`restored ${rows} rows from ${file}`);
    return 0;
  } finally {
    await store.close();
  }
}

function encodeRow(table: string, row: TableRow): Line {
  return {
    table,
    row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? { base64: v.toString('base64') } : v])),
  };
}

function decodeRow(line: Line): { table: string; row: TableRow } {
  return {
    table: line.table,
    row: Object.fromEntries(Object.entries(line.row).map(([k, v]) =>
      [k, v !== null && typeof v === 'object' ? Buffer.from(v.base64, 'base64') : v])),
  };
}

function linesOf(file: string): AsyncIterable<string> {
  return createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
}

async function headerOf(file: string): Promise<Header> {
  for await (const line of linesOf(file)) {
    const header = JSON.parse(line) as Partial<Header>;
    if (header.format !== FORMAT || header.version !== VERSION || typeof header.schemaVersion !== 'number') break;
    return header as Header;
  }
  throw new Error(`${file} is not a Trent backup (format ${FORMAT} version ${VERSION})`);
}

async function* rowsOf(file: string): AsyncIterable<{ table: string; row: TableRow }> {
  let first = true;
  for await (const line of linesOf(file)) {
    if (first || !line) {
      first = false;
      continue;
    }
    yield decodeRow(JSON.parse(line) as Line);
  }
}
