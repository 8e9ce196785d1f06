import type {
  AccessKeyRecord, AccessKeyStatus, AliasRecord, CustomKeyStoreRecord, GrantRecord, IdentityKind, IdentityRecord, ImportParametersRecord,
  InlinePolicyRecord, KeyRecord, MaterialRecord, PooledSecret, SessionRecord,
} from './types.js';

/**
 * How a key record is kept: a JSON document (dates as ISO 8601 strings, Date's JSON form; absent members
 * omitted) plus the column the scheduler scans. Shared by every backend so both store the same bytes.
 */
export function encodeKey(key: KeyRecord): string {
  return JSON.stringify(key);
}

const DATE_FIELDS = ['createdAt', 'deletionDate', 'validTo', 'nextRotationDate'] as const;
const MATERIAL_DATE_FIELDS = ['validTo', 'rotationDate'] as const;

function reviveDates(raw: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) if (typeof raw[f] === 'string') raw[f] = new Date(raw[f] as string);
}

export function decodeKey(doc: string): KeyRecord {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  reviveDates(raw, DATE_FIELDS);
  if (Array.isArray(raw.importedMaterials)) {
    for (const m of raw.importedMaterials as Array<Record<string, unknown>>) reviveDates(m, MATERIAL_DATE_FIELDS);
  }
  return raw as unknown as KeyRecord;
}

/** The earliest moment the scheduler has work on this key, if any: each reason here has its handler in ops/lifecycle.ts. */
export function dueAt(key: KeyRecord): number | null {
  // A multi-Region key's transient states (a replica being made, a primary Region changing) end at the next pass.
  if (key.keyState === 'Creating' || key.keyState === 'Updating') return 0;
  const times: number[] = [];
  if (key.keyState === 'PendingDeletion' && key.deletionDate) times.push(key.deletionDate.getTime());
  // Only Enabled keys rotate: a Disabled one waits, off the due list, and is due again once enabled. A replica
  // keeps its primary's schedule to report it, but only the primary rotates (for all of them).
  if (key.nextRotationDate && key.keyState === 'Enabled' && key.multiRegionKeyType !== 'REPLICA') {
    times.push(key.nextRotationDate.getTime());
  }
  // Imported material expires in every key state.
  for (const m of key.importedMaterials ?? []) if (m.imported && m.validTo) times.push(m.validTo.getTime());
  return times.length ? Math.min(...times) : null;
}

// Rows as both backends return them (BIGINT columns as numbers).
export function pooledFromRow(r: Record<string, unknown>): PooledSecret {
  return { id: r.id as string, keySpec: r.key_spec as string, createdAt: new Date(Number(r.created_at)), wrapped: r.wrapped as Buffer };
}

export function materialFromRow(r: Record<string, unknown>): MaterialRecord {
  return {
    keyId: r.key_id as string,
    accountId: r.account_id as string,
    materialId: r.material_id as string,
    createdAt: new Date(Number(r.created_at)),
    wrapped: r.wrapped as Buffer,
    rotationType: (r.rotation_type as MaterialRecord['rotationType']) ?? undefined,
  };
}

export function importParametersFromRow(r: Record<string, unknown>): ImportParametersRecord {
  return {
    tokenId: r.token_id as string,
    accountId: r.account_id as string,
    region: r.region as string,
    keyId: r.key_id as string,
    wrappingAlgorithm: r.wrapping_algorithm as ImportParametersRecord['wrappingAlgorithm'],
    wrappingKeySpec: r.wrapping_key_spec as ImportParametersRecord['wrappingKeySpec'],
    validTo: new Date(Number(r.valid_to)),
    wrapped: r.wrapped as Buffer,
  };
}

export function aliasFromRow(r: Record<string, unknown>): AliasRecord {
  return {
    accountId: r.account_id as string,
    region: r.region as string,
    aliasName: r.alias_name as string,
    targetKeyId: r.key_id as string,
    createdAt: new Date(Number(r.created_at)),
    updatedAt: new Date(Number(r.updated_at)),
  };
}

export function accessKeyFromRow(r: Record<string, unknown>): AccessKeyRecord {
  return {
    accessKeyId: r.access_key_id as string,
    accountId: r.account_id as string,
    userName: (r.user_name as string) || undefined, // '': the account root's
    status: r.status as AccessKeyStatus,
    createdAt: new Date(Number(r.created_at)),
    wrappedSecret: r.wrapped_secret as Buffer,
  };
}

/** An access key's columns, in ACCESS_KEY_COLUMNS' order. */
export function accessKeyRow(k: AccessKeyRecord): unknown[] {
  return [k.accessKeyId, k.accountId, k.userName ?? '', k.status, k.createdAt.getTime(), k.wrappedSecret];
}

export const ACCESS_KEY_COLUMNS = 'access_key_id, account_id, user_name, status, created_at, wrapped_secret';

/** A user's or role's columns, in IDENTITY_COLUMNS' order; what no query filters on is in the document. */
export function identityRow(i: IdentityRecord): unknown[] {
  const doc = { trustPolicy: i.trustPolicy, description: i.description, maxSessionDuration: i.maxSessionDuration };
  return [i.accountId, i.kind, i.name.toLowerCase(), i.name, i.path, i.id, i.createdAt.getTime(), JSON.stringify(doc)];
}

export const IDENTITY_COLUMNS = 'account_id, kind, name_key, name, path, identity_id, created_at, doc';

export function identityFromRow(r: Record<string, unknown>): IdentityRecord {
  const doc = JSON.parse(r.doc as string) as Pick<IdentityRecord, 'trustPolicy' | 'description' | 'maxSessionDuration'>;
  return {
    accountId: r.account_id as string, kind: r.kind as IdentityKind, name: r.name as string, path: r.path as string,
    id: r.identity_id as string, createdAt: new Date(Number(r.created_at)), ...doc,
  };
}

export function inlinePolicyRow(p: InlinePolicyRecord): unknown[] {
  return [p.accountId, p.kind, p.ownerName.toLowerCase(), p.policyName.toLowerCase(), p.ownerName, p.policyName, p.document];
}

export const INLINE_POLICY_COLUMNS = 'account_id, kind, owner_key, policy_key, owner_name, policy_name, document';

export function inlinePolicyFromRow(r: Record<string, unknown>): InlinePolicyRecord {
  return {
    accountId: r.account_id as string, kind: r.kind as IdentityKind, ownerName: r.owner_name as string,
    policyName: r.policy_name as string, document: r.document as string,
  };
}

export const SESSION_COLUMNS = 'access_key_id, account_id, expires_at, wrapped_secret, doc';

/** A session's columns, in SESSION_COLUMNS' order: what no query reads is in the document. */
export function sessionRow(s: SessionRecord): unknown[] {
  const { accessKeyId, accountId, expiresAt, wrappedSecret, ...rest } = s;
  return [accessKeyId, accountId, expiresAt.getTime(), wrappedSecret, JSON.stringify(rest)];
}

export function sessionFromRow(r: Record<string, unknown>): SessionRecord {
  const doc = JSON.parse(r.doc as string) as Record<string, unknown>;
  return {
    ...(doc as unknown as SessionRecord),
    accessKeyId: r.access_key_id as string, accountId: r.account_id as string, expiresAt: new Date(Number(r.expires_at)),
    wrappedSecret: r.wrapped_secret as Buffer, createdAt: new Date(doc.createdAt as string),
  };
}

/** A grant is kept whole as a JSON document, like a key; the columns beside it are what listings filter on. */
export function encodeGrant(grant: GrantRecord): string {
  return JSON.stringify(grant);
}

export function grantFromRow(r: Record<string, unknown>): GrantRecord {
  const raw = JSON.parse(r.doc as string) as Record<string, unknown>;
  return { ...raw, createdAt: new Date(raw.createdAt as string) } as unknown as GrantRecord;
}

/**
 * The WHERE clause of a key's grant listing and its values after the key's three, numbered for PostgreSQL
 * (`$n`) or not (SQLite's `?`): shared so both backends filter alike.
 */
export function grantFilterSql(filter: { grantId?: string | undefined; granteePrincipals?: readonly string[] | undefined },
  numbered: boolean): { where: string; values: string[] } {
  const values: string[] = [];
  const param = () => (numbered ? `$${values.length + 3}` : '?');
  let where = numbered ? 'account_id = $1 AND region = $2 AND key_id = $3' : 'account_id = ? AND region = ? AND key_id = ?';
  if (filter.grantId !== undefined) {
    values.push(filter.grantId);
    where += ` AND grant_id = ${param()}`;
  }
  if (filter.granteePrincipals !== undefined) {
    const list = filter.granteePrincipals.map((p) => { values.push(p); return param(); });
    where += list.length ? ` AND grantee_principal IN (${list.join(', ')})` : ' AND FALSE';
  }
  return { where, values };
}

/** Where a listing of retirable grants resumes: after the (account, key, grant ID) a page ended on. */
export function retirableAfter(after: string | undefined): [string, string, string] {
  const [accountId = '', keyId = '', grantId = ''] = (after ?? '').split(' ');
  return [accountId, keyId, grantId];
}

/** A custom key store is kept whole as a JSON document, like a key. */
export function encodeCustomKeyStore(store: CustomKeyStoreRecord): string {
  return JSON.stringify(store);
}

export function customKeyStoreFromRow(r: Record<string, unknown>): CustomKeyStoreRecord {
  const raw = JSON.parse(r.doc as string) as Record<string, unknown>;
  return { ...raw, createdAt: new Date(raw.createdAt as string) } as unknown as CustomKeyStoreRecord;
}
