import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ChangeBatch, ChangeFeed } from './change-feed.js';
import { accessKeyFromRow, aliasFromRow, decodeKey, dueAt, encodeKey, materialFromRow, pooledFromRow } from './records.js';
import { MIGRATIONS, WIPED_TABLES } from './schema.js';
import { backupOrder, MIGRATIONS_TABLE, refuseNonEmpty, restoredColumns } from './table-rows.js';
import {
  StoreConflictError, changeId,
  type AccessKeyRecord, type AliasRecord, type Change, type ChangeListener, type KeyRecord, type KeyRef,
  type KeyUseRecord, type MaterialRecord, type PageQuery, type PooledSecret, type Store, type StoreOps, type TableRow,
  type TagRecord,
} from './types.js';

type Row = Record<string, unknown>;
type Queryable = pg.Pool | pg.PoolClient;

/** The NOTIFY channel every node writes its committed changes to and listens on. */
const CHANNEL = 'trent_changes';
/** NOTIFY payloads must stay under 8000 bytes; a bigger batch is announced as a resync. */
const MAX_PAYLOAD = 7_000;
const RECONNECT_MS = 1_000;
/** Deadlocks and serialization failures are PostgreSQL asking for the transaction to be run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 3;
/** Advisory lock keys: one bigint for migrations, and a (class, hash) pair per key ID for its shared material. */
const MIGRATION_LOCK = '7630166453752374898';
const MATERIAL_LOCK_CLASS = 0x74726e74;

/** Every BIGINT Trent stores is epoch milliseconds, well inside a double: read them as numbers, as SQLite does. */
const INT8_OID = 20;
const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** What a node NOTIFYs: its origin (so it skips its own) and its changes, or null for "resync". */
interface Notification {
  readonly o: string;
  readonly c: Array<[Exclude<Change['kind'], 'resync'>, string]> | null;
}

/**
 * PostgreSQL, for several Trent nodes on one database. Reads go to any pooled connection (each statement its
 * own snapshot); a transaction runs on one connection at READ COMMITTED, and every read-modify-write locks its
 * key with SELECT ... FOR UPDATE (lockKey), so concurrent nodes serialize on the row instead of losing updates.
 * Each transaction NOTIFYs its changes on commit; other nodes LISTEN and drop what they cached.
 *
 * Opening is synchronous (like SqliteStore) and the migrations run in the background: every method waits
 * for them, so the first call reports a database that cannot be reached or migrated.
 */
export class PostgresStore implements Store {
  private readonly pool: pg.Pool;
  private readonly opened: Promise<PostgresOps>;
  private readonly feed = new ChangeFeed();
  /** Tells this node's notifications from other nodes'. */
  private readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * `poolSize` is per process: a node opens at most workers × (poolSize + 1 listening) connections, and idle
   * ones close after ten seconds.
   */
  constructor(private readonly url: string, poolSize = 8) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, types: TYPES });
    // An idle pooled connection that breaks (database restart) is dropped and replaced; without a listener
    // the error would end the process.
    this.pool.on('error', (e) => console.error(`postgres: an idle connection failed: ${e.message}`));
    this.opened = migrate(this.pool).then(() => new PostgresOps(this.pool, new ChangeBatch()));
    this.opened.catch(() => undefined);
  }

  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return this.retrying(() => this.inTransaction((client, batch) => fn(new PostgresOps(client, batch))));
  }

  onChange(listener: ChangeListener): () => void {
    const unsubscribe = this.feed.subscribe(listener);
    if (!this.listener && !this.reconnect) this.listen();
    return unsubscribe;
  }

  async schemaVersion(): Promise<number> {
    await this.opened;
    return appliedVersion(this.pool);
  }

  async wipe(): Promise<void> {
    await this.inTransaction(async (client, batch) => {
      await client.query(WIPED_TABLES.map((t) => `DELETE FROM ${t}`).join('; '));
      batch.add({ kind: 'resync' });
    });
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
      batch.add({ kind: 'resync' });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  getKey(ref: KeyRef) { return this.opened.then((r) => r.getKey(ref)); }
  lockKey(ref: KeyRef) { return this.transaction((tx) => tx.lockKey(ref)); }
  listKeys(accountId: string, region: string, page: PageQuery) { return this.opened.then((r) => r.listKeys(accountId, region, page)); }
  keysDue(now: Date, limit: number) { return this.opened.then((r) => r.keysDue(now, limit)); }
  getMaterial(ref: KeyRef, materialId: string) { return this.opened.then((r) => r.getMaterial(ref, materialId)); }
  listMaterials(ref: KeyRef) { return this.opened.then((r) => r.listMaterials(ref)); }
  listTags(ref: KeyRef) { return this.opened.then((r) => r.listTags(ref)); }
  getAlias(accountId: string, region: string, aliasName: string) { return this.opened.then((r) => r.getAlias(accountId, region, aliasName)); }
  listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery) {
    return this.opened.then((r) => r.listAliases(accountId, region, keyId, page));
  }
  getAccessKey(accessKeyId: string) { return this.opened.then((r) => r.getAccessKey(accessKeyId)); }
  listAccessKeys() { return this.opened.then((r) => r.listAccessKeys()); }
  getSetting(name: string) { return this.opened.then((r) => r.getSetting(name)); }
  getKeyLastUse(ref: KeyRef) { return this.opened.then((r) => r.getKeyLastUse(ref)); }

  // Single writes outside a transaction are transactions of one statement.
  insertKey(key: KeyRecord) { return this.transaction((tx) => tx.insertKey(key)); }
  updateKey(key: KeyRecord) { return this.transaction((tx) => tx.updateKey(key)); }
  deleteKey(ref: KeyRef) { return this.transaction((tx) => tx.deleteKey(ref)); }
  insertMaterial(ref: KeyRef, m: MaterialRecord) { return this.transaction((tx) => tx.insertMaterial(ref, m)); }
  putTags(ref: KeyRef, tags: readonly TagRecord[]) { return this.transaction((tx) => tx.putTags(ref, tags)); }
  deleteTags(ref: KeyRef, keys: readonly string[]) { return this.transaction((tx) => tx.deleteTags(ref, keys)); }
  insertAlias(alias: AliasRecord) { return this.transaction((tx) => tx.insertAlias(alias)); }
  updateAlias(alias: AliasRecord) { return this.transaction((tx) => tx.updateAlias(alias)); }
  deleteAlias(a: string, r: string, n: string) { return this.transaction((tx) => tx.deleteAlias(a, r, n)); }
  insertAccessKey(key: AccessKeyRecord) { return this.transaction((tx) => tx.insertAccessKey(key)); }
  deleteAccessKey(id: string) { return this.transaction((tx) => tx.deleteAccessKey(id)); }
  putSetting(name: string, value: string) { return this.transaction((tx) => tx.putSetting(name, value)); }
  putSettingIfAbsent(name: string, value: string) { return this.transaction((tx) => tx.putSettingIfAbsent(name, value)); }
  putKeyLastUses(uses: readonly KeyUseRecord[]) { return this.transaction((tx) => tx.putKeyLastUses(uses)); }
  addPooledSecret(secret: PooledSecret) { return this.transaction((tx) => tx.addPooledSecret(secret)); }
  takePooledSecret(keySpec: string) { return this.transaction((tx) => tx.takePooledSecret(keySpec)); }
  countPooledSecrets(keySpec: string) { return this.opened.then((r) => r.countPooledSecrets(keySpec)); }

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
      if (changes.length) await client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.notification(changes)]);
      await client.query('COMMIT');
      for (const change of changes) this.feed.emit(change);
      return result;
    } catch (e) {
      broken = await rollback(client);
      throw e;
    } finally {
      client.release(broken);
    }
  }

  private notification(changes: readonly Change[]): string {
    let listed: Notification['c'] = [];
    for (const c of changes) {
      if (c.kind === 'resync') {
        listed = null;
        break;
      }
      listed.push([c.kind, c.id]);
    }
    const payload = JSON.stringify({ o: this.origin, c: listed } satisfies Notification);
    return payload.length <= MAX_PAYLOAD ? payload : JSON.stringify({ o: this.origin, c: null } satisfies Notification);
  }

  /**
   * One connection LISTENs for the other nodes' changes. Whenever it (re)connects, notifications may have been
   * missed, so listeners are told to resync; while it is down, caches fall back on their own expiry.
   */
  private listen(): void {
    this.reconnect = undefined;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, types: TYPES });
    this.listener = client;
    const lost = (e?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      console.error(`postgres: the change notification connection failed${e ? `: ${e.message}` : ''}; reconnecting`);
      void client.end().catch(() => undefined);
      if (!this.closed) this.reconnect = setTimeout(() => this.listen(), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => this.deliver(n.payload));
    client.connect().then(() => client.query(`LISTEN ${CHANNEL}`))
      .then(() => this.feed.emit({ kind: 'resync' }), lost);
  }

  private deliver(payload: string | undefined): void {
    let n: Notification;
    try {
      n = JSON.parse(payload ?? '') as Notification;
    } catch {
      return this.feed.emit({ kind: 'resync' });
    }
    if (n.o === this.origin) return;
    if (!Array.isArray(n.c)) return this.feed.emit({ kind: 'resync' });
    for (const [kind, id] of n.c) this.feed.emit({ kind, id });
  }
}

/**
 * Applies the migrations not yet applied, in one transaction under an advisory lock, so nodes starting
 * together apply each exactly once and the others wait until the schema is complete.
 */
async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`);
    const applied = await appliedVersion(client);
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

async function appliedVersion(db: Queryable): Promise<number> {
  const { rows: [row] } = await db.query<Row>(`SELECT COALESCE(MAX(version), 0) AS v FROM ${MIGRATIONS_TABLE}`);
  return Number(row?.v ?? 0);
}

/** Rolls back; returns the error that makes the connection unfit to reuse, if the rollback itself failed. */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query('ROLLBACK');
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
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

function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function codeOf(e: unknown): string {
  return e instanceof Error && 'code' in e ? String((e as { code: unknown }).code) : '';
}

/** Each statement text gets one name, so every pooled connection parses and plans it once. */
const statementNames = new Map<string, string>();
function named(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `trent_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The statements, on the pool (single reads) or on one transaction's connection. */
class PostgresOps implements StoreOps {
  constructor(private readonly db: Queryable, private readonly changes: ChangeBatch) {}

  private async run(text: string, values: unknown[]): Promise<pg.QueryResult<Row>> {
    try {
      return await this.db.query<Row>({ name: named(text), text, values });
    } catch (e) {
      if (codeOf(e) === '23505') throw new StoreConflictError((e as pg.DatabaseError).table ?? 'record');
      throw e;
    }
  }

  private async rows(text: string, values: unknown[]): Promise<Row[]> {
    return (await this.run(text, values)).rows;
  }

  private keyChanged(ref: KeyRef): void {
    this.changes.add({ kind: 'key', id: changeId.key(ref) });
  }

  async getKey(ref: KeyRef): Promise<KeyRecord | undefined> {
    const [row] = await this.rows('SELECT doc FROM keys WHERE account_id = $1 AND region = $2 AND key_id = $3',
      [ref.accountId, ref.region, ref.keyId]);
    return row ? decodeKey(row.doc as string) : undefined;
  }

  /** The row lock is held until the transaction ends: another node's lockKey of the same key waits for it. */
  async lockKey(ref: KeyRef): Promise<KeyRecord | undefined> {
    const [row] = await this.rows('SELECT doc FROM keys WHERE account_id = $1 AND region = $2 AND key_id = $3 FOR UPDATE',
      [ref.accountId, ref.region, ref.keyId]);
    return row ? decodeKey(row.doc as string) : undefined;
  }

  async listKeys(accountId: string, region: string, page: PageQuery): Promise<KeyRef[]> {
    const rows = await this.rows(`SELECT key_id FROM keys WHERE account_id = $1 AND region = $2 AND key_id > $3
                                  ORDER BY key_id LIMIT $4`, [accountId, region, page.after ?? '', page.limit]);
    return rows.map((r) => ({ accountId, region, keyId: r.key_id as string }));
  }

  /**
   * A plain read: every node's scheduler may see the same due key, and the work itself (ops/lifecycle.ts)
   * locks the key and checks it is still due, which is what makes it happen exactly once.
   */
  async keysDue(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = await this.rows('SELECT doc FROM keys WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2',
      [now.getTime(), limit]);
    return rows.map((r) => decodeKey(r.doc as string));
  }

  async insertKey(key: KeyRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO keys (account_id, region, key_id, key_state, due_at, doc)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [key.accountId, key.region, key.keyId, key.keyState, dueAt(key), encodeKey(key)]);
    if (rowCount === 0) throw new StoreConflictError(`key ${key.keyId}`);
    this.keyChanged(key);
  }

  async updateKey(key: KeyRecord): Promise<void> {
    await this.run('UPDATE keys SET key_state = $1, due_at = $2, doc = $3 WHERE account_id = $4 AND region = $5 AND key_id = $6',
      [key.keyState, dueAt(key), encodeKey(key), key.accountId, key.region, key.keyId]);
    this.keyChanged(key);
  }

  async deleteKey(ref: KeyRef): Promise<void> {
    const args = [ref.accountId, ref.region, ref.keyId];
    await this.run('DELETE FROM keys WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    await this.run('DELETE FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    await this.run('DELETE FROM key_last_usage WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    const aliases = await this.rows(
      'DELETE FROM aliases WHERE account_id = $1 AND region = $2 AND key_id = $3 RETURNING alias_name', args);
    // Material is shared by the Regions of a multi-Region key: it goes with the last of them. Two nodes deleting
    // the last two Regions at once would each still see the other's row; the lock makes the second look after
    // the first has committed.
    await this.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MATERIAL_LOCK_CLASS, `${ref.accountId}/${ref.keyId}`]);
    const [other] = await this.rows('SELECT 1 AS one FROM keys WHERE account_id = $1 AND key_id = $2 LIMIT 1',
      [ref.accountId, ref.keyId]);
    if (!other) await this.run('DELETE FROM materials WHERE account_id = $1 AND key_id = $2', [ref.accountId, ref.keyId]);
    this.keyChanged(ref);
    for (const a of aliases) {
      this.changes.add({ kind: 'alias', id: changeId.alias(ref.accountId, ref.region, a.alias_name as string) });
    }
  }

  async getMaterial(ref: KeyRef, materialId: string): Promise<MaterialRecord | undefined> {
    const [row] = await this.rows(`SELECT ${MATERIAL_COLUMNS} FROM materials
                                   WHERE account_id = $1 AND key_id = $2 AND material_id = $3`,
    [ref.accountId, ref.keyId, materialId]);
    return row ? materialFromRow(row) : undefined;
  }

  async listMaterials(ref: KeyRef): Promise<MaterialRecord[]> {
    const rows = await this.rows(`SELECT ${MATERIAL_COLUMNS} FROM materials WHERE account_id = $1 AND key_id = $2
                                  ORDER BY created_at, material_id`, [ref.accountId, ref.keyId]);
    return rows.map(materialFromRow);
  }

  async insertMaterial(ref: KeyRef, m: MaterialRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO materials (account_id, key_id, material_id, created_at, rotation_type, wrapped)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [ref.accountId, ref.keyId, m.materialId, m.createdAt.getTime(), m.rotationType ?? null, m.wrapped]);
    if (rowCount === 0) throw new StoreConflictError(`material ${m.materialId}`);
    this.keyChanged(ref);
  }

  async listTags(ref: KeyRef): Promise<TagRecord[]> {
    const rows = await this.rows(`SELECT tag_key, tag_value FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3
                                  ORDER BY tag_key`, [ref.accountId, ref.region, ref.keyId]);
    return rows.map((r) => ({ tagKey: r.tag_key as string, tagValue: r.tag_value as string }));
  }

  async putTags(ref: KeyRef, tags: readonly TagRecord[]): Promise<void> {
    for (const t of tags) {
      await this.run(`INSERT INTO tags (account_id, region, key_id, tag_key, tag_value) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (account_id, region, key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
      [ref.accountId, ref.region, ref.keyId, t.tagKey, t.tagValue]);
    }
    this.keyChanged(ref);
  }

  async deleteTags(ref: KeyRef, tagKeys: readonly string[]): Promise<void> {
    for (const k of tagKeys) {
      await this.run('DELETE FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3 AND tag_key = $4',
        [ref.accountId, ref.region, ref.keyId, k]);
    }
    this.keyChanged(ref);
  }

  async getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const [row] = await this.rows(`SELECT ${ALIAS_COLUMNS} FROM aliases WHERE account_id = $1 AND region = $2 AND alias_name = $3`,
      [accountId, region, aliasName]);
    return row ? aliasFromRow(row) : undefined;
  }

  async listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery): Promise<AliasRecord[]> {
    const rows = keyId === undefined
      ? await this.rows(`SELECT ${ALIAS_COLUMNS} FROM aliases WHERE account_id = $1 AND region = $2 AND alias_name > $3
                         ORDER BY alias_name LIMIT $4`, [accountId, region, page.after ?? '', page.limit])
      : await this.rows(`SELECT ${ALIAS_COLUMNS} FROM aliases WHERE account_id = $1 AND region = $2 AND key_id = $3
                         AND alias_name > $4 ORDER BY alias_name LIMIT $5`, [accountId, region, keyId, page.after ?? '', page.limit]);
    return rows.map(aliasFromRow);
  }

  /**
   * ON CONFLICT DO NOTHING rather than catching the unique violation: a failed statement would abort the
   * whole transaction, where SQLite lets it go on. A concurrent insert of the same name waits for the other
   * transaction and then reports the conflict, so exactly one of two racing nodes gets the alias.
   */
  async insertAlias(a: AliasRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO aliases (account_id, region, alias_name, key_id, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [a.accountId, a.region, a.aliasName, a.targetKeyId, a.createdAt.getTime(), a.updatedAt.getTime()]);
    if (rowCount === 0) throw new StoreConflictError(`alias ${a.aliasName}`);
    this.changes.add({ kind: 'alias', id: changeId.alias(a.accountId, a.region, a.aliasName) });
  }

  async updateAlias(a: AliasRecord): Promise<void> {
    await this.run('UPDATE aliases SET key_id = $1, updated_at = $2 WHERE account_id = $3 AND region = $4 AND alias_name = $5',
      [a.targetKeyId, a.updatedAt.getTime(), a.accountId, a.region, a.aliasName]);
    this.changes.add({ kind: 'alias', id: changeId.alias(a.accountId, a.region, a.aliasName) });
  }

  async deleteAlias(accountId: string, region: string, aliasName: string): Promise<void> {
    await this.run('DELETE FROM aliases WHERE account_id = $1 AND region = $2 AND alias_name = $3', [accountId, region, aliasName]);
    this.changes.add({ kind: 'alias', id: changeId.alias(accountId, region, aliasName) });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const [row] = await this.rows(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1`, [accessKeyId]);
    return row ? accessKeyFromRow(row) : undefined;
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    return (await this.rows(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id`, []))
      .map(accessKeyFromRow);
  }

  async insertAccessKey(k: AccessKeyRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO access_keys (access_key_id, account_id, user_name, created_at, wrapped_secret)
      VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
    [k.accessKeyId, k.accountId, k.userName, k.createdAt.getTime(), k.wrappedSecret]);
    if (rowCount === 0) throw new StoreConflictError(`access key ${k.accessKeyId}`);
    this.changes.add({ kind: 'accessKey', id: k.accessKeyId });
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    const { rowCount } = await this.run('DELETE FROM access_keys WHERE access_key_id = $1', [accessKeyId]);
    this.changes.add({ kind: 'accessKey', id: accessKeyId });
    return (rowCount ?? 0) > 0;
  }

  async getSetting(name: string): Promise<string | undefined> {
    const [row] = await this.rows('SELECT value FROM settings WHERE name = $1', [name]);
    return row ? (row.value as string) : undefined;
  }

  async getKeyLastUse(ref: KeyRef): Promise<KeyUseRecord | undefined> {
    const [row] = await this.rows(`SELECT operation, used_at, request_id FROM key_last_usage
                                   WHERE account_id = $1 AND region = $2 AND key_id = $3`, [ref.accountId, ref.region, ref.keyId]);
    return row ? {
      accountId: ref.accountId,
      region: ref.region,
      keyId: ref.keyId,
      operation: row.operation as KeyUseRecord['operation'],
      usedAt: new Date(Number(row.used_at)),
      requestId: row.request_id as string,
    } : undefined;
  }

  /**
   * No change is announced: last use is never cached. FOR KEY SHARE makes a use racing the key's deletion
   * wait for it and then find the key gone, so no row outlives its key.
   */
  async putKeyLastUses(uses: readonly KeyUseRecord[]): Promise<void> {
    for (const u of uses) {
      await this.run(`INSERT INTO key_last_usage (account_id, region, key_id, operation, used_at, request_id)
        SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (
          SELECT 1 FROM keys WHERE account_id = $1 AND region = $2 AND key_id = $3 FOR KEY SHARE)
        ON CONFLICT (account_id, region, key_id) DO UPDATE
          SET operation = excluded.operation, used_at = excluded.used_at, request_id = excluded.request_id
          WHERE excluded.used_at >= key_last_usage.used_at`,
      [u.accountId, u.region, u.keyId, u.operation, u.usedAt.getTime(), u.requestId]);
    }
  }

  async putSetting(name: string, value: string): Promise<void> {
    await this.run('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
      [name, value]);
    this.changes.add({ kind: 'setting', id: name });
  }

  /**
   * A racing insert of the same name waits for the other transaction, then does nothing; the read after it is
   * a new statement, so at READ COMMITTED it sees the value the winner committed.
   */
  async putSettingIfAbsent(name: string, value: string): Promise<string> {
    const { rowCount } = await this.run('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    if (rowCount) this.changes.add({ kind: 'setting', id: name });
    return (await this.getSetting(name))!;
  }

  async addPooledSecret(p: PooledSecret): Promise<void> {
    await this.run('INSERT INTO material_pool (id, key_spec, created_at, wrapped) VALUES ($1, $2, $3, $4)',
      [p.id, p.keySpec, p.createdAt.getTime(), p.wrapped]);
  }

  /** SKIP LOCKED: nodes taking at once each get a different secret instead of waiting on one another. */
  async takePooledSecret(keySpec: string): Promise<PooledSecret | undefined> {
    const [row] = await this.rows(`DELETE FROM material_pool WHERE id = (
        SELECT id FROM material_pool WHERE key_spec = $1 ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, key_spec, created_at, wrapped`, [keySpec]);
    return row ? pooledFromRow(row) : undefined;
  }

  async countPooledSecrets(keySpec: string): Promise<number> {
    const [row] = await this.rows('SELECT count(*) AS n FROM material_pool WHERE key_spec = $1', [keySpec]);
    return Number(row?.n ?? 0);
  }
}

// Columns are named, never `*`: a named statement's plan must not change shape when a later migration adds one.
const MATERIAL_COLUMNS = 'account_id, key_id, material_id, created_at, rotation_type, wrapped';
const ALIAS_COLUMNS = 'account_id, region, alias_name, key_id, created_at, updated_at';
const ACCESS_KEY_COLUMNS = 'access_key_id, account_id, user_name, created_at, wrapped_secret';
