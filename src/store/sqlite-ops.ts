import type Database from 'better-sqlite3';
import { AUDIT_COLUMNS, auditFromRow, auditPageQuery, auditRow } from './audit-trail.js';
import type { ChangeBatch } from './change-feed.js';
import {
  ACCESS_KEY_COLUMNS, IDENTITY_COLUMNS, INLINE_POLICY_COLUMNS, SESSION_COLUMNS, accessKeyFromRow, accessKeyRow, identityFromRow, identityRow,
  inlinePolicyFromRow, inlinePolicyRow, sessionFromRow, sessionRow, aliasFromRow, decodeKey, dueAt, encodeGrant, encodeKey, grantFilterSql, grantFromRow, materialFromRow, pooledFromRow, retirableAfter, importParametersFromRow, customKeyStoreFromRow, encodeCustomKeyStore,
} from './records.js';
import { WIPED_TABLES } from './schema.js';
import {
  StoreConflictError, changeId,
  type AccessKeyRecord, type AccessKeyStatus, type IdentityKind, type IdentityRecord, type InlinePolicyRecord, type SessionRecord,
  type AliasRecord, type AuditQuery, type AuditRecord, type GrantFilter, type GrantRecord, type KeyRecord, type KeyRef, type KeyUseRecord, type MaterialRecord, type PageQuery, type ImportParametersRecord, type CustomKeyStoreRecord,
  type PooledSecret, type StoreOps, type TagRecord,
} from './types.js';

type Row = Record<string, unknown>;

function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && 'code' in e && String((e as { code: unknown }).code).startsWith('SQLITE_CONSTRAINT');
}

/** The statements, bound to one connection. Methods are async to fit the Store interface; SQLite answers at once. */
export class SqliteOps implements StoreOps {
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

  async listRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]> {
    const rows = this.stmt('SELECT doc FROM keys WHERE account_id = ? AND key_id = ? ORDER BY region').all(accountId, keyId) as Row[];
    return rows.map((r) => decodeKey(r.doc as string));
  }

  /** A transaction holds SQLite's single write lock from BEGIN IMMEDIATE on, so a plain read is already locked. */
  lockRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]> {
    return this.listRelatedKeys(accountId, keyId);
  }

  async keysDue(now: Date, limit: number): Promise<KeyRecord[]> {
    const rows = this.stmt('SELECT doc FROM keys WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?')
      .all(now.getTime(), limit) as Row[];
    return rows.map((r) => decodeKey(r.doc as string));
  }

  async countKeys(accountId: string, region: string): Promise<number> {
    const row = this.stmt('SELECT n FROM key_counts WHERE account_id = ? AND region = ?').get(accountId, region) as Row | undefined;
    return row ? Number(row.n) : 0;
  }

  /** A transaction holds SQLite's single write lock from BEGIN IMMEDIATE on, so a plain read is already locked. */
  lockKeyCount(accountId: string, region: string): Promise<number> {
    return this.countKeys(accountId, region);
  }

  async insertKey(key: KeyRecord): Promise<void> {
    try {
      this.stmt('INSERT INTO keys (account_id, region, key_id, key_state, due_at, doc) VALUES (?, ?, ?, ?, ?, ?)')
        .run(key.accountId, key.region, key.keyId, key.keyState, dueAt(key), encodeKey(key));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`key ${key.keyId}`);
      throw e;
    }
    this.stmt(`INSERT INTO key_counts (account_id, region, n) VALUES (?, ?, 1)
               ON CONFLICT (account_id, region) DO UPDATE SET n = key_counts.n + 1`).run(key.accountId, key.region);
    this.keyChanged(key);
  }

  async updateKey(key: KeyRecord): Promise<void> {
    this.stmt('UPDATE keys SET key_state = ?, due_at = ?, doc = ? WHERE account_id = ? AND region = ? AND key_id = ?')
      .run(key.keyState, dueAt(key), encodeKey(key), key.accountId, key.region, key.keyId);
    this.keyChanged(key);
  }

  async deleteKey(ref: KeyRef): Promise<void> {
    const args = [ref.accountId, ref.region, ref.keyId];
    if (this.stmt('DELETE FROM keys WHERE account_id = ? AND region = ? AND key_id = ?').run(...args).changes > 0) {
      this.stmt('UPDATE key_counts SET n = n - 1 WHERE account_id = ? AND region = ?').run(ref.accountId, ref.region);
    }
    this.stmt('DELETE FROM tags WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    this.stmt('DELETE FROM key_last_usage WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    this.stmt('DELETE FROM grants WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
    this.stmt('DELETE FROM import_parameters WHERE account_id = ? AND region = ? AND key_id = ?').run(...args);
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

  async deleteMaterial(ref: KeyRef, materialId: string): Promise<void> {
    this.stmt('DELETE FROM materials WHERE account_id = ? AND key_id = ? AND material_id = ?').run(ref.accountId, ref.keyId, materialId);
    this.keyChanged(ref);
  }

  async insertImportParameters(p: ImportParametersRecord, purgeBefore: Date): Promise<void> {
    this.stmt('DELETE FROM import_parameters WHERE valid_to < ?').run(purgeBefore.getTime());
    this.stmt(`INSERT INTO import_parameters
               (token_id, account_id, region, key_id, wrapping_algorithm, wrapping_key_spec, valid_to, wrapped)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(p.tokenId, p.accountId, p.region, p.keyId, p.wrappingAlgorithm, p.wrappingKeySpec, p.validTo.getTime(), p.wrapped);
  }

  async getImportParameters(tokenId: string): Promise<ImportParametersRecord | undefined> {
    const row = this.stmt('SELECT * FROM import_parameters WHERE token_id = ?').get(tokenId) as Row | undefined;
    return row ? importParametersFromRow(row) : undefined;
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

  async getCustomKeyStore(accountId: string, region: string, id: string): Promise<CustomKeyStoreRecord | undefined> {
    const row = this.stmt('SELECT doc FROM custom_key_stores WHERE account_id = ? AND region = ? AND custom_key_store_id = ?')
      .get(accountId, region, id) as Row | undefined;
    return row ? customKeyStoreFromRow(row) : undefined;
  }

  async listCustomKeyStores(accountId: string, region: string, page: PageQuery): Promise<CustomKeyStoreRecord[]> {
    const rows = this.stmt(`SELECT doc FROM custom_key_stores WHERE account_id = ? AND region = ? AND custom_key_store_id > ?
                            ORDER BY custom_key_store_id LIMIT ?`).all(accountId, region, page.after ?? '', page.limit) as Row[];
    return rows.map(customKeyStoreFromRow);
  }

  async keysInCustomKeyStore(accountId: string, region: string, id: string, limit: number, xksKeyId?: string): Promise<KeyRecord[]> {
    const rows = this.stmt(`SELECT doc FROM keys WHERE account_id = ? AND region = ? AND json_extract(doc, '$.customKeyStoreId') = ?
                            AND (? IS NULL OR json_extract(doc, '$.xksKeyId') = ?) ORDER BY key_id LIMIT ?`)
      .all(accountId, region, id, xksKeyId ?? null, xksKeyId ?? null, limit) as Row[];
    return rows.map((r) => decodeKey(r.doc as string));
  }

  async insertCustomKeyStore(c: CustomKeyStoreRecord): Promise<void> {
    try {
      this.stmt('INSERT INTO custom_key_stores (account_id, region, custom_key_store_id, name, doc) VALUES (?, ?, ?, ?, ?)')
        .run(c.accountId, c.region, c.customKeyStoreId, c.name, encodeCustomKeyStore(c));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`custom key store ${c.name}`);
      throw e;
    }
  }

  async updateCustomKeyStore(c: CustomKeyStoreRecord): Promise<void> {
    try {
      this.stmt('UPDATE custom_key_stores SET name = ?, doc = ? WHERE account_id = ? AND region = ? AND custom_key_store_id = ?')
        .run(c.name, encodeCustomKeyStore(c), c.accountId, c.region, c.customKeyStoreId);
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`custom key store ${c.name}`);
      throw e;
    }
  }

  async deleteCustomKeyStore(accountId: string, region: string, id: string): Promise<void> {
    this.stmt('DELETE FROM custom_key_stores WHERE account_id = ? AND region = ? AND custom_key_store_id = ?').run(accountId, region, id);
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

  async listGrants(ref: KeyRef, filter: GrantFilter, page: PageQuery): Promise<GrantRecord[]> {
    const { where, values } = grantFilterSql(filter, false);
    const rows = this.stmt(`SELECT doc FROM grants WHERE ${where} AND grant_id > ? ORDER BY grant_id LIMIT ?`)
      .all(ref.accountId, ref.region, ref.keyId, ...values, page.after ?? '', page.limit) as Row[];
    return rows.map(grantFromRow);
  }

  async listRetirableGrants(region: string, retiringPrincipal: string, page: PageQuery): Promise<GrantRecord[]> {
    const rows = this.stmt(`SELECT doc FROM grants WHERE region = ? AND retiring_principal = ?
                            AND (account_id, key_id, grant_id) > (?, ?, ?) ORDER BY account_id, key_id, grant_id LIMIT ?`)
      .all(region, retiringPrincipal, ...retirableAfter(page.after), page.limit) as Row[];
    return rows.map(grantFromRow);
  }

  async countGrants(ref: KeyRef, granteePrincipal?: string): Promise<number> {
    const row = (granteePrincipal === undefined
      ? this.stmt('SELECT count(*) AS n FROM grants WHERE account_id = ? AND region = ? AND key_id = ?')
        .get(ref.accountId, ref.region, ref.keyId)
      : this.stmt('SELECT count(*) AS n FROM grants WHERE account_id = ? AND region = ? AND key_id = ? AND grantee_principal = ?')
        .get(ref.accountId, ref.region, ref.keyId, granteePrincipal)) as Row;
    return Number(row.n);
  }

  async insertGrant(g: GrantRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO grants (account_id, region, key_id, grant_id, grantee_principal, retiring_principal, created_at, doc)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(g.accountId, g.region, g.keyId, g.grantId, g.granteePrincipal, g.retiringPrincipal ?? null, g.createdAt.getTime(), encodeGrant(g));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`grant ${g.grantId}`);
      throw e;
    }
  }

  async deleteGrant(ref: KeyRef, grantId: string): Promise<boolean> {
    return this.stmt('DELETE FROM grants WHERE account_id = ? AND region = ? AND key_id = ? AND grant_id = ?')
      .run(ref.accountId, ref.region, ref.keyId, grantId).changes > 0;
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.stmt(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?`).get(accessKeyId) as Row | undefined;
    return row ? accessKeyFromRow(row) : undefined;
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    return (this.stmt(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id`).all() as Row[])
      .map(accessKeyFromRow);
  }

  async listAccessKeysOf(accountId: string, userName: string | undefined): Promise<AccessKeyRecord[]> {
    return (this.stmt(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE account_id = ? AND user_name = ?
                       ORDER BY created_at, access_key_id`).all(accountId, userName ?? '') as Row[]).map(accessKeyFromRow);
  }

  async insertAccessKey(k: AccessKeyRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO access_keys (${ACCESS_KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`).run(...accessKeyRow(k));
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

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    this.changes.add({ kind: 'accessKey', id: accessKeyId });
    return this.stmt('UPDATE access_keys SET status = ? WHERE access_key_id = ?').run(status, accessKeyId).changes > 0;
  }

  async getIdentity(accountId: string, kind: IdentityKind, name: string): Promise<IdentityRecord | undefined> {
    const row = this.stmt(`SELECT ${IDENTITY_COLUMNS} FROM iam_identities WHERE account_id = ? AND kind = ? AND name_key = ?`)
      .get(accountId, kind, name.toLowerCase()) as Row | undefined;
    return row ? identityFromRow(row) : undefined;
  }

  async listIdentities(accountId: string, kind: IdentityKind, pathPrefix: string, page: PageQuery): Promise<IdentityRecord[]> {
    const rows = this.stmt(`SELECT ${IDENTITY_COLUMNS} FROM iam_identities
                            WHERE account_id = ? AND kind = ? AND name_key > ? AND substr(path, 1, ?) = ?
                            ORDER BY name_key LIMIT ?`)
      .all(accountId, kind, page.after ?? '', pathPrefix.length, pathPrefix, page.limit) as Row[];
    return rows.map(identityFromRow);
  }

  async insertIdentity(i: IdentityRecord): Promise<void> {
    try {
      this.stmt(`INSERT INTO iam_identities (${IDENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(...identityRow(i));
    } catch (e) {
      if (isUniqueViolation(e)) throw new StoreConflictError(`${i.kind} ${i.name}`);
      throw e;
    }
    this.changes.add({ kind: 'identity', id: changeId.identity(i.accountId, i.kind, i.name) });
  }

  async deleteIdentity(accountId: string, kind: IdentityKind, name: string): Promise<boolean> {
    this.changes.add({ kind: 'identity', id: changeId.identity(accountId, kind, name) });
    return this.stmt('DELETE FROM iam_identities WHERE account_id = ? AND kind = ? AND name_key = ?')
      .run(accountId, kind, name.toLowerCase()).changes > 0;
  }

  async getInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<InlinePolicyRecord | undefined> {
    const row = this.stmt(`SELECT ${INLINE_POLICY_COLUMNS} FROM iam_inline_policies
                           WHERE account_id = ? AND kind = ? AND owner_key = ? AND policy_key = ?`)
      .get(accountId, kind, ownerName.toLowerCase(), policyName.toLowerCase()) as Row | undefined;
    return row ? inlinePolicyFromRow(row) : undefined;
  }

  async listInlinePolicies(accountId: string, kind: IdentityKind, ownerName: string, page: PageQuery): Promise<InlinePolicyRecord[]> {
    const rows = this.stmt(`SELECT ${INLINE_POLICY_COLUMNS} FROM iam_inline_policies
                            WHERE account_id = ? AND kind = ? AND owner_key = ? AND policy_key > ? ORDER BY policy_key LIMIT ?`)
      .all(accountId, kind, ownerName.toLowerCase(), page.after ?? '', page.limit) as Row[];
    return rows.map(inlinePolicyFromRow);
  }

  async putInlinePolicy(p: InlinePolicyRecord): Promise<void> {
    this.stmt(`INSERT INTO iam_inline_policies (${INLINE_POLICY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (account_id, kind, owner_key, policy_key) DO UPDATE
                 SET policy_name = excluded.policy_name, document = excluded.document`).run(...inlinePolicyRow(p));
    this.changes.add({ kind: 'identity', id: changeId.identity(p.accountId, p.kind, p.ownerName) });
  }

  async deleteInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<boolean> {
    this.changes.add({ kind: 'identity', id: changeId.identity(accountId, kind, ownerName) });
    return this.stmt('DELETE FROM iam_inline_policies WHERE account_id = ? AND kind = ? AND owner_key = ? AND policy_key = ?')
      .run(accountId, kind, ownerName.toLowerCase(), policyName.toLowerCase()).changes > 0;
  }

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    const row = this.stmt(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE access_key_id = ?`).get(accessKeyId) as Row | undefined;
    return row ? sessionFromRow(row) : undefined;
  }

  async insertSession(session: SessionRecord): Promise<void> {
    this.stmt(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)`).run(...sessionRow(session));
    this.changes.add({ kind: 'accessKey', id: session.accessKeyId });
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

  /** Inside a transaction, which holds SQLite's write lock: the count cannot change before the insert. */
  async addPooledSecret(p: PooledSecret, poolSize: number): Promise<boolean> {
    return this.stmt(`INSERT INTO material_pool (id, key_spec, created_at, wrapped) SELECT ?, ?, ?, ?
                      WHERE (SELECT count(*) FROM material_pool WHERE key_spec = ?) < ?`)
      .run(p.id, p.keySpec, p.createdAt.getTime(), p.wrapped, p.keySpec, poolSize).changes > 0;
  }

  /** Inside a transaction, which holds SQLite's write lock: no other taker can see the row in between. */
  async takePooledSecret(keySpec: string): Promise<PooledSecret | undefined> {
    const row = this.stmt(`SELECT id, key_spec, created_at, wrapped FROM material_pool WHERE key_spec = ?
                           ORDER BY created_at, id LIMIT 1`).get(keySpec) as Row | undefined;
    if (!row) return undefined;
    this.stmt('DELETE FROM material_pool WHERE id = ?').run(row.id);
    return pooledFromRow(row);
  }

  async wipe(): Promise<void> {
    for (const t of WIPED_TABLES) this.stmt(`DELETE FROM ${t}`).run();
    this.changes.add({ kind: 'resync' });
  }

  async insertAuditRecords(records: readonly AuditRecord[]): Promise<void> {
    const s = this.stmt(`INSERT INTO audit_events (${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const r of records) s.run(...auditRow(r));
  }

  async auditPage(query: AuditQuery, after: AuditRecord | undefined, limit: number): Promise<AuditRecord[]> {
    const { sql, values } = auditPageQuery(query, after, limit, () => '?');
    return (this.stmt(sql).all(...values) as Row[]).map(auditFromRow);
  }

  async countPooledSecrets(keySpec: string): Promise<number> {
    return Number((this.stmt('SELECT count(*) AS n FROM material_pool WHERE key_spec = ?').get(keySpec) as Row).n);
  }
}
