import type { AccessKeyRecord, AliasRecord, CustomKeyStoreRecord, GrantRecord, KeyRecord, MaterialRecord, PooledSecret } from './types.js';

/**
 * How a key record is kept: a JSON document (dates as ISO 8601 strings, Date's JSON form; absent members
 * omitted) plus the column the scheduler scans. Shared by every backend so both store the same bytes.
 */
export function encodeKey(key: KeyRecord): string {
  return JSON.stringify(key);
}

const DATE_FIELDS = ['createdAt', 'deletionDate', 'validTo', 'nextRotationDate'] as const;

export function decodeKey(doc: string): KeyRecord {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  for (const f of DATE_FIELDS) if (typeof raw[f] === 'string') raw[f] = new Date(raw[f] as string);
  return raw as unknown as KeyRecord;
}

/** The earliest moment the scheduler has work on this key, if any: each reason here has its handler in ops/lifecycle.ts. */
export function dueAt(key: KeyRecord): number | null {
  const times: number[] = [];
  if (key.keyState === 'PendingDeletion' && key.deletionDate) times.push(key.deletionDate.getTime());
  // Only Enabled keys rotate: a Disabled one waits, off the due list, and is due again once enabled.
  if (key.nextRotationDate && key.keyState === 'Enabled') times.push(key.nextRotationDate.getTime());
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
    userName: r.user_name as string,
    createdAt: new Date(Number(r.created_at)),
    wrappedSecret: r.wrapped_secret as Buffer,
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
