import type pg from 'pg';
import { AUDIT_COLUMNS, auditFromRow, auditPageQuery, auditRow } from './audit-trail.js';
import type { ChangeBatch } from './change-feed.js';
import { codeOf, type Queryable, type Row } from './postgres-connection.js';
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

/** Advisory lock class of a key ID's shared material (the pair is this class and a hash of the key ID). */
const MATERIAL_LOCK_CLASS = 0x74726e74;
/** Advisory lock class of the material pool's refills (paired with a hash of the key spec). */
const POOL_LOCK_CLASS = 0x706f6f6c;

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
export class PostgresOps implements StoreOps {
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

  async listRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]> {
    const rows = await this.rows('SELECT doc FROM keys WHERE account_id = $1 AND key_id = $2 ORDER BY region', [accountId, keyId]);
    return rows.map((r) => decodeKey(r.doc as string));
  }

  /** Row locks taken in Region order, the same order in every transaction that takes them. */
  async lockRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]> {
    const rows = await this.rows('SELECT doc FROM keys WHERE account_id = $1 AND key_id = $2 ORDER BY region FOR UPDATE',
      [accountId, keyId]);
    return rows.map((r) => decodeKey(r.doc as string));
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

  async countKeys(accountId: string, region: string): Promise<number> {
    const [row] = await this.rows('SELECT n FROM key_counts WHERE account_id = $1 AND region = $2', [accountId, region]);
    return row ? Number(row.n) : 0;
  }

  /**
   * Locks the count's row, making it if the account has none in the Region yet (so the first creates race on
   * it too). At READ COMMITTED the upsert waits for another holder and then reads what that one committed.
   * Creates of one account and Region take turns from here to their commit; other accounts never wait.
   */
  async lockKeyCount(accountId: string, region: string): Promise<number> {
    const [row] = await this.rows(`INSERT INTO key_counts (account_id, region, n) VALUES ($1, $2, 0)
      ON CONFLICT (account_id, region) DO UPDATE SET n = key_counts.n RETURNING n`, [accountId, region]);
    return Number(row!.n);
  }

  async insertKey(key: KeyRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO keys (account_id, region, key_id, key_state, due_at, doc)
      VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [key.accountId, key.region, key.keyId, key.keyState, dueAt(key), encodeKey(key)]);
    if (rowCount === 0) throw new StoreConflictError(`key ${key.keyId}`);
    await this.run(`INSERT INTO key_counts (account_id, region, n) VALUES ($1, $2, 1)
      ON CONFLICT (account_id, region) DO UPDATE SET n = key_counts.n + 1`, [key.accountId, key.region]);
    this.keyChanged(key);
  }

  async updateKey(key: KeyRecord): Promise<void> {
    await this.run('UPDATE keys SET key_state = $1, due_at = $2, doc = $3 WHERE account_id = $4 AND region = $5 AND key_id = $6',
      [key.keyState, dueAt(key), encodeKey(key), key.accountId, key.region, key.keyId]);
    this.keyChanged(key);
  }

  async deleteKey(ref: KeyRef): Promise<void> {
    const args = [ref.accountId, ref.region, ref.keyId];
    const { rowCount } = await this.run('DELETE FROM keys WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    if (rowCount) await this.run('UPDATE key_counts SET n = n - 1 WHERE account_id = $1 AND region = $2', [ref.accountId, ref.region]);
    await this.run('DELETE FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    await this.run('DELETE FROM key_last_usage WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    await this.run('DELETE FROM grants WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
    await this.run('DELETE FROM import_parameters WHERE account_id = $1 AND region = $2 AND key_id = $3', args);
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

  async deleteMaterial(ref: KeyRef, materialId: string): Promise<void> {
    await this.run('DELETE FROM materials WHERE account_id = $1 AND key_id = $2 AND material_id = $3',
      [ref.accountId, ref.keyId, materialId]);
    this.keyChanged(ref);
  }

  async insertImportParameters(p: ImportParametersRecord, purgeBefore: Date): Promise<void> {
    await this.run('DELETE FROM import_parameters WHERE valid_to < $1', [purgeBefore.getTime()]);
    await this.run(`INSERT INTO import_parameters
      (token_id, account_id, region, key_id, wrapping_algorithm, wrapping_key_spec, valid_to, wrapped)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [p.tokenId, p.accountId, p.region, p.keyId, p.wrappingAlgorithm, p.wrappingKeySpec, p.validTo.getTime(), p.wrapped]);
  }

  async getImportParameters(tokenId: string): Promise<ImportParametersRecord | undefined> {
    const [row] = await this.rows('SELECT * FROM import_parameters WHERE token_id = $1', [tokenId]);
    return row ? importParametersFromRow(row) : undefined;
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

  async getCustomKeyStore(accountId: string, region: string, id: string): Promise<CustomKeyStoreRecord | undefined> {
    const [row] = await this.rows('SELECT doc FROM custom_key_stores WHERE account_id = $1 AND region = $2 AND custom_key_store_id = $3',
      [accountId, region, id]);
    return row ? customKeyStoreFromRow(row) : undefined;
  }

  async listCustomKeyStores(accountId: string, region: string, page: PageQuery): Promise<CustomKeyStoreRecord[]> {
    const rows = await this.rows(`SELECT doc FROM custom_key_stores WHERE account_id = $1 AND region = $2 AND custom_key_store_id > $3
                                  ORDER BY custom_key_store_id LIMIT $4`, [accountId, region, page.after ?? '', page.limit]);
    return rows.map(customKeyStoreFromRow);
  }

  async keysInCustomKeyStore(accountId: string, region: string, id: string, limit: number, xksKeyId?: string): Promise<KeyRecord[]> {
    const rows = await this.rows(`SELECT doc FROM keys WHERE account_id = $1 AND region = $2 AND (doc::jsonb ->> 'customKeyStoreId') = $3
                                  AND ($4::text IS NULL OR (doc::jsonb ->> 'xksKeyId') = $4) ORDER BY key_id LIMIT $5`,
    [accountId, region, id, xksKeyId ?? null, limit]);
    return rows.map((r) => decodeKey(r.doc as string));
  }

  async insertCustomKeyStore(c: CustomKeyStoreRecord): Promise<void> {
    await this.run('INSERT INTO custom_key_stores (account_id, region, custom_key_store_id, name, doc) VALUES ($1, $2, $3, $4, $5)',
      [c.accountId, c.region, c.customKeyStoreId, c.name, encodeCustomKeyStore(c)]);
  }

  async updateCustomKeyStore(c: CustomKeyStoreRecord): Promise<void> {
    await this.run('UPDATE custom_key_stores SET name = $1, doc = $2 WHERE account_id = $3 AND region = $4 AND custom_key_store_id = $5',
      [c.name, encodeCustomKeyStore(c), c.accountId, c.region, c.customKeyStoreId]);
  }

  async deleteCustomKeyStore(accountId: string, region: string, id: string): Promise<void> {
    await this.run('DELETE FROM custom_key_stores WHERE account_id = $1 AND region = $2 AND custom_key_store_id = $3', [accountId, region, id]);
  }

  async listTags(ref: KeyRef): Promise<TagRecord[]> {
    const rows = await this.rows(`SELECT tag_key, tag_value FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3
                                  ORDER BY tag_key`, [ref.accountId, ref.region, ref.keyId]);
    return rows.map((r) => ({ tagKey: r.tag_key as string, tagValue: r.tag_value as string }));
  }

  /**
   * One statement for all the tags (arrays unnested). A statement may not update one row twice, so a key
   * given twice keeps its last value, as a row-by-row upsert would.
   */
  async putTags(ref: KeyRef, tags: readonly TagRecord[]): Promise<void> {
    const last = new Map(tags.map((t) => [t.tagKey, t.tagValue]));
    await this.run(`INSERT INTO tags (account_id, region, key_id, tag_key, tag_value)
      SELECT $1, $2, $3, t.tag_key, t.tag_value FROM unnest($4::text[], $5::text[]) AS t (tag_key, tag_value)
      ON CONFLICT (account_id, region, key_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
    [ref.accountId, ref.region, ref.keyId, [...last.keys()], [...last.values()]]);
    this.keyChanged(ref);
  }

  async deleteTags(ref: KeyRef, tagKeys: readonly string[]): Promise<void> {
    await this.run('DELETE FROM tags WHERE account_id = $1 AND region = $2 AND key_id = $3 AND tag_key = ANY($4::text[])',
      [ref.accountId, ref.region, ref.keyId, tagKeys]);
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

  async listGrants(ref: KeyRef, filter: GrantFilter, page: PageQuery): Promise<GrantRecord[]> {
    const { where, values } = grantFilterSql(filter, true);
    const n = values.length + 4;
    const rows = await this.rows(`SELECT doc FROM grants WHERE ${where} AND grant_id > $${n} ORDER BY grant_id LIMIT $${n + 1}`,
      [ref.accountId, ref.region, ref.keyId, ...values, page.after ?? '', page.limit]);
    return rows.map(grantFromRow);
  }

  async listRetirableGrants(region: string, retiringPrincipal: string, page: PageQuery): Promise<GrantRecord[]> {
    const rows = await this.rows(`SELECT doc FROM grants WHERE region = $1 AND retiring_principal = $2
      AND (account_id, key_id, grant_id) > ($3, $4, $5) ORDER BY account_id, key_id, grant_id LIMIT $6`,
    [region, retiringPrincipal, ...retirableAfter(page.after), page.limit]);
    return rows.map(grantFromRow);
  }

  async countGrants(ref: KeyRef, granteePrincipal?: string): Promise<number> {
    const [row] = granteePrincipal === undefined
      ? await this.rows('SELECT count(*) AS n FROM grants WHERE account_id = $1 AND region = $2 AND key_id = $3',
        [ref.accountId, ref.region, ref.keyId])
      : await this.rows('SELECT count(*) AS n FROM grants WHERE account_id = $1 AND region = $2 AND key_id = $3 AND grantee_principal = $4',
        [ref.accountId, ref.region, ref.keyId, granteePrincipal]);
    return Number(row!.n);
  }

  /** A taken grant ID is StoreConflictError (run's unique-violation mapping), as on SQLite. */
  async insertGrant(g: GrantRecord): Promise<void> {
    await this.run(`INSERT INTO grants (account_id, region, key_id, grant_id, grantee_principal, retiring_principal, created_at, doc)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [g.accountId, g.region, g.keyId, g.grantId, g.granteePrincipal, g.retiringPrincipal ?? null, g.createdAt.getTime(), encodeGrant(g)]);
  }

  async deleteGrant(ref: KeyRef, grantId: string): Promise<boolean> {
    const { rowCount } = await this.run('DELETE FROM grants WHERE account_id = $1 AND region = $2 AND key_id = $3 AND grant_id = $4',
      [ref.accountId, ref.region, ref.keyId, grantId]);
    return (rowCount ?? 0) > 0;
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const [row] = await this.rows(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1`, [accessKeyId]);
    return row ? accessKeyFromRow(row) : undefined;
  }

  async listAccessKeys(): Promise<AccessKeyRecord[]> {
    return (await this.rows(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys ORDER BY created_at, access_key_id`, []))
      .map(accessKeyFromRow);
  }

  async listAccessKeysOf(accountId: string, userName: string | undefined): Promise<AccessKeyRecord[]> {
    return (await this.rows(`SELECT ${ACCESS_KEY_COLUMNS} FROM access_keys WHERE account_id = $1 AND user_name = $2
                             ORDER BY created_at, access_key_id`, [accountId, userName ?? ''])).map(accessKeyFromRow);
  }

  async insertAccessKey(k: AccessKeyRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO access_keys (${ACCESS_KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT DO NOTHING`, accessKeyRow(k));
    if (rowCount === 0) throw new StoreConflictError(`access key ${k.accessKeyId}`);
    this.changes.add({ kind: 'accessKey', id: k.accessKeyId });
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    const { rowCount } = await this.run('DELETE FROM access_keys WHERE access_key_id = $1', [accessKeyId]);
    this.changes.add({ kind: 'accessKey', id: accessKeyId });
    return (rowCount ?? 0) > 0;
  }

  async updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    const { rowCount } = await this.run('UPDATE access_keys SET status = $1 WHERE access_key_id = $2', [status, accessKeyId]);
    this.changes.add({ kind: 'accessKey', id: accessKeyId });
    return (rowCount ?? 0) > 0;
  }

  async getIdentity(accountId: string, kind: IdentityKind, name: string): Promise<IdentityRecord | undefined> {
    const [row] = await this.rows(`SELECT ${IDENTITY_COLUMNS} FROM iam_identities WHERE account_id = $1 AND kind = $2 AND name_key = $3`,
      [accountId, kind, name.toLowerCase()]);
    return row ? identityFromRow(row) : undefined;
  }

  async listIdentities(accountId: string, kind: IdentityKind, pathPrefix: string, page: PageQuery): Promise<IdentityRecord[]> {
    const rows = await this.rows(`SELECT ${IDENTITY_COLUMNS} FROM iam_identities
      WHERE account_id = $1 AND kind = $2 AND name_key > $3 AND substr(path, 1, $4) = $5 ORDER BY name_key COLLATE "C" LIMIT $6`,
    [accountId, kind, page.after ?? '', pathPrefix.length, pathPrefix, page.limit]);
    return rows.map(identityFromRow);
  }

  async insertIdentity(i: IdentityRecord): Promise<void> {
    const { rowCount } = await this.run(`INSERT INTO iam_identities (${IDENTITY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
      ON CONFLICT DO NOTHING`, identityRow(i));
    if (rowCount === 0) throw new StoreConflictError(`${i.kind} ${i.name}`);
    this.changes.add({ kind: 'identity', id: changeId.identity(i.accountId, i.kind, i.name) });
  }

  async deleteIdentity(accountId: string, kind: IdentityKind, name: string): Promise<boolean> {
    const { rowCount } = await this.run('DELETE FROM iam_identities WHERE account_id = $1 AND kind = $2 AND name_key = $3',
      [accountId, kind, name.toLowerCase()]);
    this.changes.add({ kind: 'identity', id: changeId.identity(accountId, kind, name) });
    return (rowCount ?? 0) > 0;
  }

  async getInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<InlinePolicyRecord | undefined> {
    const [row] = await this.rows(`SELECT ${INLINE_POLICY_COLUMNS} FROM iam_inline_policies
      WHERE account_id = $1 AND kind = $2 AND owner_key = $3 AND policy_key = $4`,
    [accountId, kind, ownerName.toLowerCase(), policyName.toLowerCase()]);
    return row ? inlinePolicyFromRow(row) : undefined;
  }

  async listInlinePolicies(accountId: string, kind: IdentityKind, ownerName: string, page: PageQuery): Promise<InlinePolicyRecord[]> {
    const rows = await this.rows(`SELECT ${INLINE_POLICY_COLUMNS} FROM iam_inline_policies
      WHERE account_id = $1 AND kind = $2 AND owner_key = $3 AND policy_key > $4 ORDER BY policy_key COLLATE "C" LIMIT $5`,
    [accountId, kind, ownerName.toLowerCase(), page.after ?? '', page.limit]);
    return rows.map(inlinePolicyFromRow);
  }

  async putInlinePolicy(p: InlinePolicyRecord): Promise<void> {
    await this.run(`INSERT INTO iam_inline_policies (${INLINE_POLICY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (account_id, kind, owner_key, policy_key) DO UPDATE SET policy_name = excluded.policy_name, document = excluded.document`,
    inlinePolicyRow(p));
    this.changes.add({ kind: 'identity', id: changeId.identity(p.accountId, p.kind, p.ownerName) });
  }

  async deleteInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<boolean> {
    const { rowCount } = await this.run(`DELETE FROM iam_inline_policies
      WHERE account_id = $1 AND kind = $2 AND owner_key = $3 AND policy_key = $4`,
    [accountId, kind, ownerName.toLowerCase(), policyName.toLowerCase()]);
    this.changes.add({ kind: 'identity', id: changeId.identity(accountId, kind, ownerName) });
    return (rowCount ?? 0) > 0;
  }

  async getSession(accessKeyId: string): Promise<SessionRecord | undefined> {
    const [row] = await this.rows(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE access_key_id = $1`, [accessKeyId]);
    return row ? sessionFromRow(row) : undefined;
  }

  async insertSession(session: SessionRecord): Promise<void> {
    await this.run(`INSERT INTO sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, sessionRow(session));
    this.changes.add({ kind: 'accessKey', id: session.accessKeyId });
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
   * One statement for the batch (arrays unnested). No change is announced: last use is never cached. FOR KEY
   * SHARE makes a use racing the key's deletion wait for it and then find the key gone, so no row outlives its
   * key. A statement may not update one row twice: each key's latest use is sent once, keys in one order
   * (the order the row locks are taken in).
   */
  async putKeyLastUses(uses: readonly KeyUseRecord[]): Promise<void> {
    const latest = new Map<string, KeyUseRecord>();
    for (const u of uses) {
      const id = changeId.key(u);
      const seen = latest.get(id);
      if (!seen || u.usedAt.getTime() >= seen.usedAt.getTime()) latest.set(id, u);
    }
    const batch = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
    if (batch.length === 0) return;
    await this.run(`INSERT INTO key_last_usage (account_id, region, key_id, operation, used_at, request_id)
      SELECT u.account_id, u.region, u.key_id, u.operation, u.used_at, u.request_id
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[])
        AS u (account_id, region, key_id, operation, used_at, request_id)
      WHERE EXISTS (SELECT 1 FROM keys k WHERE k.account_id = u.account_id AND k.region = u.region AND k.key_id = u.key_id
                    FOR KEY SHARE)
      ON CONFLICT (account_id, region, key_id) DO UPDATE
        SET operation = excluded.operation, used_at = excluded.used_at, request_id = excluded.request_id
        WHERE excluded.used_at >= key_last_usage.used_at`,
    [batch.map((u) => u.accountId), batch.map((u) => u.region), batch.map((u) => u.keyId), batch.map((u) => u.operation),
      batch.map((u) => u.usedAt.getTime()), batch.map((u) => u.requestId)]);
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

  /**
   * Under a lock per key spec held to the end of the transaction: the next node's count is a statement that
   * starts after this transaction committed, so it sees this insert (at READ COMMITTED a plain conditional
   * insert would let two nodes both see room for one more).
   */
  async addPooledSecret(p: PooledSecret, poolSize: number): Promise<boolean> {
    await this.run('SELECT pg_advisory_xact_lock($1, hashtext($2))', [POOL_LOCK_CLASS, p.keySpec]);
    const { rowCount } = await this.run(`INSERT INTO material_pool (id, key_spec, created_at, wrapped) SELECT $1, $2, $3, $4
      WHERE (SELECT count(*) FROM material_pool WHERE key_spec = $2) < $5`,
    [p.id, p.keySpec, p.createdAt.getTime(), p.wrapped, poolSize]);
    return (rowCount ?? 0) > 0;
  }

  /** SKIP LOCKED: nodes taking at once each get a different secret instead of waiting on one another. */
  async takePooledSecret(keySpec: string): Promise<PooledSecret | undefined> {
    const [row] = await this.rows(`DELETE FROM material_pool WHERE id = (
        SELECT id FROM material_pool WHERE key_spec = $1 ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id, key_spec, created_at, wrapped`, [keySpec]);
    return row ? pooledFromRow(row) : undefined;
  }

  async wipe(): Promise<void> {
    for (const t of WIPED_TABLES) await this.run(`DELETE FROM ${t}`, []);
    this.changes.add({ kind: 'resync' });
  }

  /** One statement for the batch (arrays unnested, column by column). */
  async insertAuditRecords(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = records.map(auditRow);
    await this.run(`INSERT INTO audit_events (${AUDIT_COLUMNS})
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
    AUDIT_COLUMNS.split(', ').map((_c, i) => rows.map((r) => r[i])));
  }

  async auditPage(query: AuditQuery, after: AuditRecord | undefined, limit: number): Promise<AuditRecord[]> {
    const { sql, values } = auditPageQuery(query, after, limit, (n) => `$${n}`);
    return (await this.rows(sql, values)).map(auditFromRow);
  }

  async countPooledSecrets(keySpec: string): Promise<number> {
    const [row] = await this.rows('SELECT count(*) AS n FROM material_pool WHERE key_spec = $1', [keySpec]);
    return Number(row?.n ?? 0);
  }
}

// Columns are named, never `*`: a named statement's plan must not change shape when a later migration adds one.
const MATERIAL_COLUMNS = 'account_id, key_id, material_id, created_at, rotation_type, wrapped';
const ALIAS_COLUMNS = 'account_id, region, alias_name, key_id, created_at, updated_at';
