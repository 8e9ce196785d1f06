import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChangeBatch, ChangeFeed } from './change-feed.js';
import { accessKeyFromRow, aliasFromRow, decodeKey, dueAt, encodeKey, materialFromRow, pooledFromRow } from './records.js';
import { MIGRATIONS, WIPED_TABLES } from './schema.js';
import { backupOrder, MIGRATIONS_TABLE, refuseNonEmpty, restoredColumns } from './table-rows.js';
import {
  StoreConflictError, changeId, type ChangeListener, type TableRow,
  type AccessKeyRecord, type AliasRecord, type KeyRecord, type KeyRef, type KeyUseRecord, type MaterialRecord, type PageQuery,
  type PooledSecret, type Store, type StoreOps, type TagRecord,
} from './types.js';

type Row = Record<string, unknown>;

/** A transaction waiting for the next group commit. */
interface Waiting {
  readonly fn: (tx: StoreOps) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a committed transaction is on
 * disk before the call returns. Writes go through one connection, one SQLite transaction at a time (SQLite has
 * a single writer anyway), which may carry several callers' transactions (group commit, see `transaction`);
 * reads use a second connection, so a reader never sees uncommitted writes.
 */
export class SqliteStore implements Store {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly readOps: SqliteOps;
  private readonly writeOps: SqliteOps;
  private readonly feed = new ChangeFeed();
  /** The changes of the open transaction, emitted after its COMMIT. */
  private readonly pending = new ChangeBatch();
  private poll: NodeJS.Timeout | undefined;
  static readonly POLL_MS = 1_000;

  constructor(private readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.writer = open(path);
    migrate(this.writer);
    this.reader = path === ':memory:' ? this.writer : open(path);
    this.readOps = new SqliteOps(this.reader, this.pending);
    this.writeOps = new SqliteOps(this.writer, this.pending);
  }

  /**
   * Group commit: transactions that arrive while one is being committed are run together in the next
   * SQLite transaction, each inside its own SAVEPOINT (a failing one is rolled back alone and rejected
   * alone), and made durable by one COMMIT, one fsync. Each caller is answered only after that COMMIT.
   * Under load this turns an fsync per write into an fsync per batch; alone, a transaction commits at once.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      if (!this.committing) {
        // Set before any await, so a second caller in the same tick joins this loop instead of starting one.
        this.committing = true;
        this.drained = this.commitBatches();
      }
    });
  }

  private readonly waiting: Waiting[] = [];
  private committing = false;
  private drained: Promise<void> = Promise.resolve();

  private async commitBatches(): Promise<void> {
    while (this.waiting.length > 0) await this.commitBatch(this.waiting.splice(0, SqliteStore.MAX_BATCH));
    // In the same step as the emptiness check above: no caller can slip in between and find nobody committing.
    this.committing = false;
  }

  /** One SQLite transaction for the batch. Never throws: every caller is answered, whatever SQLite does. */
  private async commitBatch(batch: Waiting[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.writer.exec('BEGIN IMMEDIATE');
    } catch (error) {
      for (const t of batch) t.reject(error);
      return;
    }
    try {
      for (const t of batch) {
        this.writer.exec('SAVEPOINT one');
        const mark = this.pending.mark();
        try {
          outcomes.push({ ok: true, value: await t.fn(this.writeOps) });
          this.writer.exec('RELEASE one');
        } catch (error) {
          this.writer.exec('ROLLBACK TO one');
          this.writer.exec('RELEASE one');
          this.pending.rollbackTo(mark);
          outcomes.push({ ok: false, error });
        }
      }
      this.writer.exec('COMMIT');
    } catch (error) {
      // SQLite itself failed (disk full, I/O error, a transaction it rolled back on its own): nothing of the
      // batch is durable, so every caller hears so.
      try {
        this.writer.exec('ROLLBACK');
      } catch { /* SQLite already rolled it back */ }
      this.pending.drain();
      for (const t of batch) t.reject(error);
      return;
    }
    for (const change of this.pending.drain()) this.feed.emit(change);
    batch.forEach((t, i) => {
      const o = outcomes[i]!;
      if (o.ok) t.resolve(o.value);
      else t.reject(o.error);
    });
  }

  static readonly MAX_BATCH = 256;

  async wipe(): Promise<void> {
    await this.transaction(async () => {
      for (const t of WIPED_TABLES) this.writer.exec(`DELETE FROM ${t}`);
      this.pending.add({ kind: 'resync' });
    });
  }

  /**
   * Writes of this process are announced at commit. Other processes on the same file (the workers of one
   * node, the CLI) are noticed by polling SQLite's data_version, which moves when another connection commits;
   * it cannot say what changed, so listeners resync. Staleness: at most POLL_MS.
   */
  onChange(listener: ChangeListener): () => void {
    const unsubscribe = this.feed.subscribe(listener);
    if (!this.poll && this.path !== ':memory:') {
      let seen = this.writer.pragma('data_version', { simple: true });
      this.poll = setInterval(() => {
        const now = this.writer.pragma('data_version', { simple: true });
        if (now !== seen) this.feed.emit({ kind: 'resync' });
        seen = now;
      }, SqliteStore.POLL_MS);
      this.poll.unref();
    }
    return unsubscribe;
  }

  async schemaVersion(): Promise<number> {
    const row = this.reader.prepare(`SELECT COALESCE(MAX(version), 0) AS v FROM ${MIGRATIONS_TABLE}`).get() as Row;
    return Number(row.v);
  }

  /** One read transaction on a connection of its own, so the snapshot holds while the caller consumes it. */
  async *exportRows(): AsyncIterable<{ table: string; row: TableRow }> {
    const db = this.path === ':memory:' ? this.writer : new Database(this.path, { readonly: true });
    try {
      db.exec('BEGIN');
      for (const table of backupOrder([...columnsOf(db).keys()])) {
        for (const row of db.prepare(`SELECT * FROM "${table}"`).all() as TableRow[]) yield { table, row };
      }
      db.exec('COMMIT');
    } finally {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (db !== this.writer) db.close();
    }
  }

  async importRows(rows: AsyncIterable<{ table: string; row: TableRow }>): Promise<void> {
    await this.transaction(async () => {
      const columns = columnsOf(this.writer);
      for (const table of columns.keys()) {
        if (table !== MIGRATIONS_TABLE) refuseNonEmpty(table, this.writer.prepare(`SELECT 1 FROM "${table}" LIMIT 1`).get() !== undefined);
      }
      this.writer.exec('DELETE FROM settings');
      for await (const { table, row } of rows) {
        const names = restoredColumns(table, row, columns);
        this.writer.prepare(`INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')})
                             VALUES (${names.map(() => '?').join(', ')})`).run(...names.map((n) => row[n]));
      }
      this.pending.add({ kind: 'resync' });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.poll);
    await this.drained;
    if (this.reader !== this.writer) this.reader.close();
    this.writer.close();
  }

  getKey(ref: KeyRef) { return this.readOps.getKey(ref); }
  lockKey(ref: KeyRef) { return this.transaction((tx) => tx.lockKey(ref)); }
  listKeys(accountId: string, region: string, page: PageQuery) { return this.readOps.listKeys(accountId, region, page); }
  keysDue(now: Date, limit: number) { return this.readOps.keysDue(now, limit); }
  getMaterial(ref: KeyRef, materialId: string) { return this.readOps.getMaterial(ref, materialId); }
  listMaterials(ref: KeyRef) { return this.readOps.listMaterials(ref); }
  listTags(ref: KeyRef) { return this.readOps.listTags(ref); }
  getAlias(accountId: string, region: string, aliasName: string) { return this.readOps.getAlias(accountId, region, aliasName); }
  listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery) {
    return this.readOps.listAliases(accountId, region, keyId, page);
  }
  getAccessKey(accessKeyId: string) { return this.readOps.getAccessKey(accessKeyId); }
  listAccessKeys() { return this.readOps.listAccessKeys(); }
  getSetting(name: string) { return this.readOps.getSetting(name); }
  getKeyLastUse(ref: KeyRef) { return this.readOps.getKeyLastUse(ref); }

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
  countPooledSecrets(keySpec: string) { return this.readOps.countPooledSecrets(keySpec); }
}

function open(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 10000');
  db.pragma('foreign_keys = ON');
  return db;
}

/** Applies the migrations not yet applied, each in its own transaction; safe against a concurrent starter. */
function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    db.transaction(() => {
      if (db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version)) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
  });
}

/** Each table's columns, from the schema itself. */
function columnsOf(db: Database.Database): Map<string, Set<string>> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Row[];
  return new Map(tables.map((t) => {
    const name = t.name as string;
    const cols = db.prepare('SELECT name FROM pragma_table_info(?)').all(name) as Row[];
    return [name, new Set(cols.map((c) => c.name as string))];
  }));
}

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}

/** The statements, bound to one connection. Methods are async to fit the Store interface; SQLite answers at once. */
class SqliteOps implements StoreOps {
  private readonly stmts = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database, private readonly changes: ChangeBatch) {}

  private keyChanged(ref: KeyRef): void {
    this.changes.add({ kind: 'key', id: changeId.key(ref) });
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  async getKey(ref: KeyRef): Promise<KeyRecord | undefined> {
    const row = this.stmt('SELECT doc FROM keys WHERE account_id = ? AND region = ? AND key_id = ?')
      .get(ref.accountId, ref.region, ref.keyId) as Row | undefined;
    return row ? decodeKey(row.doc as string) : undefined;
  }

  /** A transaction holds SQLite's single write lock from BEGIN IMMEDIATE on, so a plain read is already locked. */
  lockKey(ref: KeyRef): Promise<KeyRecord | undefined> {
    return this.getKey(ref);
  }

  async listKeys(accountId: string, region: string, page: PageQuery): Promise<KeyRef[]> {
    const rows = this.stmt(`SELECT key_id FROM keys WHERE account_id = ? AND region = ? AND key_id > ?
                            ORDER BY key_id LIMIT ?`).all(accountId, region, page.after ?? '', page.limit) as Row[];
    return rows.map((r) => ({ accountId, region, keyId: r.key_id as string }));
  }

  async keysDue(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = this.stmt('SELECT doc FROM keys WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?')
      .all(now.getTime(), limit) as Row[];
    return rows.map((r) => decodeKey(r.doc as string));
  }

  async insertKey(key: KeyRecord): Promise<void> {
    try {
      this.stmt('INSERT INTO keys (account_id, region, key_id, key_state, due_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
        .run(key.accountId, key.region, key.keyId, key.keyState, dueAt(key), encodeKey(key));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`key ${key.keyId}`);
      throw e;
    }
    this.keyChanged(key);
  }

  async updateKey(key: KeyRecord): Promise<void> {
    this.stmt('UPDATE keys SET key_state = ?, due_at = ?, doc = ? WHERE account_id = ? AND region = ? AND key_id = ?')
      .run(key.keyState, dueAt(key), encodeKey(key), key.accountId, key.region, key.keyId);
    this.keyChanged(key);
  }

  async deleteKey(ref: KeyRef): Promise<void> {
    const args = [ref.accountId, ref.region, ref.keyId];
    this.stmt('DELETE FROM keys WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    this.stmt('DELETE FROM tags WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    this.stmt('DELETE FROM key_last_usage WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    const aliases = this.stmt('DELETE FROM aliases WHERE account_id = ? AND region = ? AND key_id = ? RETURNING alias_name')
      .all(...args) as Row[];
    // Material is shared by the Regions of a multi-Region key: it goes with the last of them.
    const others = this.stmt('SELECT 1 FROM keys WHERE account_id = ? AND key_id = ? LIMIT 1').get(ref.accountId, ref.keyId);
    if (!others) this.stmt('DELETE FROM materials WHERE account_id = ? AND key_id = ?').run(ref.accountId, ref.keyId);
    this.keyChanged(ref);
    for (const a of aliases) {
      this.changes.add({ kind: 'alias', id: changeId.alias(ref.accountId, ref.region, a.alias_name as string) });
    }
  }

  async getMaterial(ref: KeyRef, materialId: string): Promise<MaterialRecord | undefined> {
    const row = this.stmt('SELECT * FROM materials WHERE account_id = ? AND key_id = ? AND material_id = ?')
      .get(ref.accountId, ref.keyId, materialId) as Row | undefined;
    return row ? materialFromRow(row) : undefined;
  }

  async listMaterials(ref: KeyRef): Promise<MaterialRecord[]> {
    const rows = this.stmt('SELECT * FROM materials WHERE account_id = ? AND key_id = ? ORDER BY created_at, material_id')
      .all(ref.accountId, ref.keyId) as Row[];
    return rows.map(materialFromRow);
  }

  async insertMaterial(ref: KeyRef, m: MaterialRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO materials (account_id, key_id, material_id, created_at, rotation_type, wrapped)
                 VALUES (?, ?, ?, ?, ?, ?)`)
        .run(ref.accountId, ref.keyId, m.materialId, m.createdAt.getTime(), m.rotationType ?? null, m.wrapped);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`material ${m.materialId}`);
      throw e;
    }
    this.keyChanged(ref);
  }

  async listTags(ref: KeyRef): Promise<TagRecord[]> {
    const rows = this.stmt(`SELECT tag_key, tag_value FROM tags WHERE account_id = ? AND region = ? AND key_id = ?
                            ORDER BY tag_key`).all(ref.accountId, ref.region, ref.keyId) as Row[];
    return rows.map((r) => ({ tagKey: r.tag_key as string, tagValue: r.tag_value as string }));
  }

  async putTags(ref: KeyRef, tags: readonly TagRecord[]): Promise<void> {
    const s = this.stmt(`INSERT INTO tags (account_id, region, key_id, tag_key, tag_value) VALUES (?, ?, ?, ?, ?)
                         ON CONFLICT (account_id, region, key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`);
    for (const t of tags) s.run(ref.accountId, ref.region, ref.keyId, t.tagKey, t.tagValue);
    this.keyChanged(ref);
  }

  async deleteTags(ref: KeyRef, tagKeys: readonly string[]): Promise<void> {
    const s = this.stmt('DELETE FROM tags WHERE account_id = ? AND region = ? AND key_id = ? AND tag_key = ?');
    for (const k of tagKeys) s.run(ref.accountId, ref.region, ref.keyId, k);
    this.keyChanged(ref);
  }

  async getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const row = this.stmt('SELECT * FROM aliases WHERE account_id = ? AND region = ? AND alias_name = ?')
      .get(accountId, region, aliasName) as Row | undefined;
    return row ? aliasFromRow(row) : undefined;
  }

  async listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery): Promise<AliasRecord[]> {
    const rows = (keyId === undefined
      ? this.stmt(`SELECT * FROM aliases WHERE account_id = ? AND region = ? AND alias_name > ?
                   ORDER BY alias_name LIMIT ?`).all(accountId, region, page.after ?? '', page.limit)
      : this.stmt(`SELECT * FROM aliases WHERE account_id = ? AND region = ? AND key_id = ? AND alias_name > ?
                   ORDER BY alias_name LIMIT ?`).all(accountId, region, keyId, page.after ?? '', page.limit)) as Row[];
    return rows.map(aliasFromRow);
  }

  async insertAlias(a: AliasRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO aliases (account_id, region, alias_name, key_id, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?)`)
        .run(a.accountId, a.region, a.aliasName, a.targetKeyId, a.createdAt.getTime(), a.updatedAt.getTime());
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`alias ${a.aliasName}`);
      throw e;
    }
    this.changes.add({ kind: 'alias', id: changeId.alias(a.accountId, a.region, a.aliasName) });
  }

  async updateAlias(a: AliasRecord): Promise<void> {
    this.stmt('UPDATE aliases SET key_id = ?, updated_at = ? WHERE account_id = ? AND region = ? AND alias_name = ?')
      .run(a.targetKeyId, a.updatedAt.getTime(), a.accountId, a.region, a.aliasName);
    this.changes.add({ kind: 'alias', id: changeId.alias(a.accountId, a.region, a.aliasName) });
  }

  async deleteAlias(accountId: string, region: string, aliasName: string): Promise<void> {
    this.stmt('DELETE FROM aliases WHERE account_id = ? AND region = ? AND alias_name = ?').run(accountId, region, aliasName);
    this.changes.add({ kind: 'alias', id: changeId.alias(accountId, region, aliasName) });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.stmt('SELECT * FROM access_keys WHERE access_key_id = ?').get(accessKeyId) as Row | undefined;
    return row ? accessKeyFromRow(row) : undefined;
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    return (this.stmt('SELECT * FROM access_keys ORDER BY created_at, access_key_id').all() as Row[]).map(accessKeyFromRow);
  }

  async insertAccessKey(k: AccessKeyRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO access_keys (access_key_id, account_id, user_name, created_at, wrapped_secret)
                 VALUES (?, ?, ?, ?, ?)`).run(k.accessKeyId, k.accountId, k.userName, k.createdAt.getTime(), k.wrappedSecret);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`access key ${k.accessKeyId}`);
      throw e;
    }
    this.changes.add({ kind: 'accessKey', id: k.accessKeyId });
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    this.changes.add({ kind: 'accessKey', id: accessKeyId });
    return this.stmt('DELETE FROM access_keys WHERE access_key_id = ?').run(accessKeyId).changes > 0;
  }

  async getSetting(name: string): Promise<string | undefined> {
    const row = this.stmt('SELECT value FROM settings WHERE name = ?').get(name) as Row | undefined;
    return row ? (row.value as string) : undefined;
  }

  async getKeyLastUse(ref: KeyRef): Promise<KeyUseRecord | undefined> {
    const row = this.stmt('SELECT * FROM key_last_usage WHERE account_id = ? AND region = ? AND key_id = ?')
      .get(ref.accountId, ref.region, ref.keyId) as Row | undefined;
    return row ? {
      accountId: row.account_id as string,
      region: row.region as string,
      keyId: row.key_id as string,
      operation: row.operation as KeyUseRecord['operation'],
      usedAt: new Date(Number(row.used_at)),
      requestId: row.request_id as string,
    } : undefined;
  }

  async putKeyLastUses(uses: readonly KeyUseRecord[]): Promise<void> {
    const s = this.stmt(`INSERT INTO key_last_usage (account_id, region, key_id, operation, used_at, request_id)
      SELECT ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM keys WHERE account_id = ? AND region = ? AND key_id = ?)
      ON CONFLICT (account_id, region, key_id) DO UPDATE
        SET operation = excluded.operation, used_at = excluded.used_at, request_id = excluded.request_id
        WHERE excluded.used_at >= key_last_usage.used_at`);
    for (const u of uses) {
      s.run(u.accountId, u.region, u.keyId, u.operation, u.usedAt.getTime(), u.requestId, u.accountId, u.region, u.keyId);
    }
  }

  async putSetting(name: string, value: string): Promise<void> {
    this.stmt('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
      .run(name, value);
    this.changes.add({ kind: 'setting', id: name });
  }

  async putSettingIfAbsent(name: string, value: string): Promise<string> {
    const inserted = this.stmt('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING').run(name, value);
    if (inserted.changes > 0) this.changes.add({ kind: 'setting', id: name });
    return (await this.getSetting(name))!;
  }

  async addPooledSecret(p: PooledSecret): Promise<void> {
    this.stmt('INSERT INTO material_pool (id, key_spec, created_at, wrapped) VALUES (?, ?, ?, ?)')
      .run(p.id, p.keySpec, p.createdAt.getTime(), p.wrapped);
  }

  /** Inside a transaction, which holds SQLite's write lock: no other taker can see the row in between. */
  async takePooledSecret(keySpec: string): Promise<PooledSecret | undefined> {
    const row = this.stmt(`SELECT id, key_spec, created_at, wrapped FROM material_pool WHERE key_spec = ?
                           ORDER BY created_at, id LIMIT 1`).get(keySpec) as Row | undefined;
    if (!row) return undefined;
    this.stmt('DELETE FROM material_pool WHERE id = ?').run(row.id);
    return pooledFromRow(row);
  }

  async countPooledSecrets(keySpec: string): Promise<number> {
    return Number((this.stmt('SELECT count(*) AS n FROM material_pool WHERE key_spec = ?').get(keySpec) as Row).n);
  }

}
