import type { AuditRecord } from '../model/audit-record.js';
import type {
  AlgorithmSpec, ConnectionErrorCodeType, ConnectionStateType, CustomKeyStoreType, ExpirationModelType, GrantOperation,
  KeyLastUsageTrackingOperation, KeyMaterialState, KeySpec, KeyState, KeyUsageType, MultiRegionKeyType, OriginType, RotationType,
  WrappingKeySpec, XksProxyConnectivityType,
} from '../model/types.gen.js';

export type { AuditRecord };

/** A KMS key is identified by its account, Region and key ID (multi-Region replicas share the ID across Regions). */
export interface KeyRef {
  readonly accountId: string;
  readonly region: string;
  readonly keyId: string;
}

export interface KeyRecord extends KeyRef {
  createdAt: Date;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsageType;
  origin: OriginType;
  keyState: KeyState;
  /** PendingDeletion: when the scheduler deletes the key. */
  deletionDate?: Date | undefined;
  pendingWindowDays?: number | undefined;
  multiRegion: boolean;
  multiRegionKeyType?: MultiRegionKeyType | undefined;
  /** For a multi-Region key: the Region of its primary. */
  primaryRegion?: string | undefined;
  customKeyStoreId?: string | undefined;
  xksKeyId?: string | undefined;
  policy: string;
  expirationModel?: ExpirationModelType | undefined;
  validTo?: Date | undefined;
  rotationPeriodDays?: number | undefined;
  nextRotationDate?: Date | undefined;
  /** The material new encryptions use; absent while a key has none (EXTERNAL origin before import). */
  currentMaterialId?: string | undefined;
  /**
   * A key of a custom key store is Unavailable while its store is not connected; this is the state it returns
   * to (Enabled or Disabled) when the store connects again, and the one EnableKey and DisableKey change meanwhile.
   */
  stateWhenAvailable?: 'Enabled' | 'Disabled' | undefined;
  /**
   * An EXTERNAL key's key materials, in the order they were first imported (ops/import/imported-material.ts):
   * what ListKeyRotations and DescribeKey show of them, kept while the material itself is deleted or expired.
   * The material's bytes are a MaterialRecord while it is imported.
   */
  importedMaterials?: ImportedMaterial[] | undefined;
}

/** One key material of an EXTERNAL key, as ImportKeyMaterial left it. */
export interface ImportedMaterial {
  readonly materialId: string;
  description?: string | undefined;
  /** CURRENT, NON_CURRENT, or PENDING_ROTATION (imported as new material, not yet rotated to). */
  state: Extract<KeyMaterialState, 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION'>;
  /** Whether the material is imported now (ImportState IMPORTED), or was deleted or expired (PENDING_IMPORT). */
  imported: boolean;
  /** While imported: whether and when it expires. */
  expirationModel?: ExpirationModelType | undefined;
  validTo?: Date | undefined;
  /** When RotateKeyOnDemand made it current. */
  rotationDate?: Date | undefined;
}

/**
 * A wrapping key pair and its import token (GetParametersForImport): for one KMS key, one wrapping algorithm,
 * until `validTo`. The private key is wrapped under the root key.
 */
export interface ImportParametersRecord extends KeyRef {
  readonly tokenId: string;
  readonly wrappingAlgorithm: AlgorithmSpec;
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly validTo: Date;
  readonly wrapped: Buffer;
}

/** How Trent reaches an external key store proxy (CreateCustomKeyStore's Xks* parameters). */
export interface XksProxyRecord {
  readonly uriEndpoint: string;
  readonly uriPath: string;
  readonly connectivity: XksProxyConnectivityType;
  readonly vpcEndpointServiceName?: string | undefined;
  readonly vpcEndpointServiceOwner?: string | undefined;
  readonly accessKeyId: string;
  /** The proxy's secret access key, wrapped under the root key (base64). */
  readonly wrappedSecret: string;
}

/** A custom key store (CreateCustomKeyStore): where the keys created in it keep their material. */
export interface CustomKeyStoreRecord {
  readonly accountId: string;
  readonly region: string;
  readonly customKeyStoreId: string;
  name: string;
  readonly type: CustomKeyStoreType;
  readonly createdAt: Date;
  connectionState: ConnectionStateType;
  connectionErrorCode?: ConnectionErrorCodeType | undefined;
  cloudHsmClusterId?: string | undefined;
  trustAnchorCertificate?: string | undefined;
  /** The key store password (the token's user PIN), wrapped under the root key (base64). */
  wrappedPassword?: string | undefined;
  xksProxy?: XksProxyRecord | undefined;
}

/** One version of a key's secret, wrapped under the root key (keys/material.ts). */
export interface MaterialRecord {
  readonly keyId: string;
  readonly accountId: string;
  readonly materialId: string;
  readonly createdAt: Date;
  readonly wrapped: Buffer;
  /** How this version came to be, for ListKeyRotations; absent for the key's first material. */
  readonly rotationType?: RotationType | undefined;
}

/** A key's last successful cryptographic use, as GetKeyLastUsage reports it. */
export interface KeyUseRecord extends KeyRef {
  readonly operation: KeyLastUsageTrackingOperation;
  readonly usedAt: Date;
  /** The request's ID, which is also its audit event's ID. */
  readonly requestId: string;
}

export interface TagRecord {
  readonly tagKey: string;
  readonly tagValue: string;
}

export interface AliasRecord {
  readonly accountId: string;
  readonly region: string;
  readonly aliasName: string;
  targetKeyId: string;
  readonly createdAt: Date;
  updatedAt: Date;
}

/** A grant on a key (CreateGrant): who may do which operations with it, under which encryption context. */
export interface GrantRecord extends KeyRef {
  readonly grantId: string;
  readonly name?: string | undefined;
  readonly createdAt: Date;
  readonly granteePrincipal: string;
  readonly retiringPrincipal?: string | undefined;
  /** The root ARN of the account the grant was made in (ListGrants' IssuingAccount). */
  readonly issuingAccount: string;
  readonly operations: readonly GrantOperation[];
  readonly constraints?: {
    readonly encryptionContextSubset?: Readonly<Record<string, string>> | undefined;
    readonly encryptionContextEquals?: Readonly<Record<string, string>> | undefined;
  } | undefined;
}

/** Which of a key's grants a listing wants; by grant ID in either case. */
export interface GrantFilter {
  readonly grantId?: string | undefined;
  readonly granteePrincipals?: readonly string[] | undefined;
}

/** An access key: of an IAM user of its account, or (no user) of the account's root. */
export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /** The secret access key wrapped under the root key. */
  readonly wrappedSecret: Buffer;
  readonly accountId: string;
  /** The IAM user the key belongs to; absent for a key of the account root (the first start's administrator key). */
  readonly userName?: string | undefined;
  /** An Inactive key is refused at authentication (UpdateAccessKey). */
  readonly status: AccessKeyStatus;
  readonly createdAt: Date;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An IAM user or role. IAM is global: no Region; names are unique per account and kind, whatever their case. */
export interface IdentityRecord {
  readonly accountId: string;
  readonly kind: IdentityKind;
  readonly name: string;
  readonly path: string;
  /** AIDA… for a user, AROA… for a role: IAM's unique IDs. */
  readonly id: string;
  readonly createdAt: Date;
  /** A role's trust policy (AssumeRolePolicyDocument), as given. */
  readonly trustPolicy?: string | undefined;
  readonly description?: string | undefined;
  /** A role's longest session, in seconds (AssumeRole's DurationSeconds bound). */
  readonly maxSessionDuration?: number | undefined;
}

export type IdentityKind = 'user' | 'role';

/** An inline policy of a user or role (PutUserPolicy, PutRolePolicy). */
export interface InlinePolicyRecord {
  readonly accountId: string;
  readonly kind: IdentityKind;
  readonly ownerName: string;
  readonly policyName: string;
  /** The policy document as given. */
  readonly document: string;
}

/** Temporary credentials STS AssumeRole issued: an ASIA… access key, its wrapped secret, its token's digest. */
export interface SessionRecord {
  readonly accessKeyId: string;
  readonly accountId: string;
  /** The secret access key wrapped under the root key. */
  readonly wrappedSecret: Buffer;
  /** SHA-256 of the session token, hex: the token itself is never kept. */
  readonly tokenHash: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly roleId: string;
  readonly sessionName: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** What `trent audit` asks for: every given field must match (`principal` matches the ARN or the access key ID). */
export interface AuditQuery {
  readonly keyId?: string | undefined;
  readonly principal?: string | undefined;
  readonly eventName?: string | undefined;
  readonly errorCode?: string | undefined;
  /** Inclusive. */
  readonly startTime?: Date | undefined;
  /** Exclusive. */
  readonly endTime?: Date | undefined;
}

/** A page of a key-ordered listing: `after` is the last key of the previous page. */
export interface PageQuery {
  readonly after?: string | undefined;
  readonly limit: number;
}

/** The reads: on the store, each its own consistent snapshot; in a transaction, that transaction's view. */
export interface StoreReads {
  getKey(ref: KeyRef): Promise<KeyRecord | undefined>;
  /** The keys of an account and Region by key ID, as references only: ListKeys needs no more, at any scale. */
  listKeys(accountId: string, region: string, page: PageQuery): Promise<KeyRef[]>;
  /**
   * Every Region's record of one key ID in an account, by Region: a multi-Region key's primary and replicas (a
   * single-Region key has one). Reads what MultiRegionConfiguration lists.
   */
  listRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]>;
  /** Keys whose time has come: PendingDeletion past their deletion date, rotation due, or a transient state to end. */
  keysDue(now: Date, limit: number): Promise<KeyRecord[]>;
  getMaterial(ref: KeyRef, materialId: string): Promise<MaterialRecord | undefined>;
  listMaterials(ref: KeyRef): Promise<MaterialRecord[]>;
  listTags(ref: KeyRef): Promise<TagRecord[]>;
  getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined>;
  listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery): Promise<AliasRecord[]>;
  /** A key's grants, by grant ID. */
  listGrants(ref: KeyRef, filter: GrantFilter, page: PageQuery): Promise<GrantRecord[]>;
  /**
   * The grants of a Region, on the keys of any account, that name `retiringPrincipal` as their retiring principal,
   * ordered by account, key and grant ID (`after`: the three, joined by spaces).
   */
  listRetirableGrants(region: string, retiringPrincipal: string, page: PageQuery): Promise<GrantRecord[]>;
  /** How many grants a key has, or has for one grantee (the grant quotas). */
  countGrants(ref: KeyRef, granteePrincipal?: string): Promise<number>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;
  /** A user's access keys (`userName` undefined: the root's), by creation. */
  listAccessKeysOf(accountId: string, userName: string | undefined): Promise<AccessKeyRecord[]>;
  /** A user or role by name, whatever its case. */
  getIdentity(accountId: string, kind: IdentityKind, name: string): Promise<IdentityRecord | undefined>;
  /** Users or roles by name (lower-cased: `after` is the last one's), those whose path starts with `pathPrefix`. */
  listIdentities(accountId: string, kind: IdentityKind, pathPrefix: string, page: PageQuery): Promise<IdentityRecord[]>;
  getInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<InlinePolicyRecord | undefined>;
  /** A user's or role's inline policies, by name (lower-cased: `after` is the last one's). */
  listInlinePolicies(accountId: string, kind: IdentityKind, ownerName: string, page: PageQuery): Promise<InlinePolicyRecord[]>;
  getSession(accessKeyId: string): Promise<SessionRecord | undefined>;
  getSetting(name: string): Promise<string | undefined>;
  getKeyLastUse(ref: KeyRef): Promise<KeyUseRecord | undefined>;
  countPooledSecrets(keySpec: string): Promise<number>;
  /** Up to `limit` audit records matching `query`, in (time, event ID) order, after the record `after`. */
  auditPage(query: AuditQuery, after: AuditRecord | undefined, limit: number): Promise<AuditRecord[]>;
  getCustomKeyStore(accountId: string, region: string, customKeyStoreId: string): Promise<CustomKeyStoreRecord | undefined>;
  /** The custom key stores of an account and Region, by ID. */
  listCustomKeyStores(accountId: string, region: string, page: PageQuery): Promise<CustomKeyStoreRecord[]>;
  /** Up to `limit` keys of a custom key store, by key ID; only those bound to `xksKeyId` when it is given. */
  keysInCustomKeyStore(accountId: string, region: string, customKeyStoreId: string, limit: number, xksKeyId?: string): Promise<KeyRecord[]>;
  /** How many keys the account has in the Region; lockKeyCount is the same read, locked, for a transaction's check. */
  countKeys(accountId: string, region: string): Promise<number>;
}

/**
 * A transaction: the reads and every write, run atomically and durably by `Store.transaction` (when it
 * resolves, the writes survive kill -9 and power loss; when it rejects, none of them happened).
 */
export interface StoreOps extends StoreReads {
  /**
   * The key, locked until the transaction ends, so a read-modify-write of it (state changes, rotation, tags,
   * deletion) never loses a concurrent update. Every such write reads through this.
   */
  lockKey(ref: KeyRef): Promise<KeyRecord | undefined>;
  /**
   * listRelatedKeys, each record locked as lockKey locks it: what a change to the properties a multi-Region key's
   * Regions share (material, rotation, which Region is primary) reads, so it reaches all of them at once.
   */
  lockRelatedKeys(accountId: string, keyId: string): Promise<KeyRecord[]>;
  /**
   * How many keys the account has in the Region, under a lock held until the transaction ends: the same call in
   * another transaction (another worker, another node) waits, then sees what this one inserted. So a quota
   * checked by this and then insertKey is never passed by two racing creates.
   */
  lockKeyCount(accountId: string, region: string): Promise<number>;
  /** Inserts the key and counts it in its account and Region (lockKeyCount). */
  insertKey(key: KeyRecord): Promise<void>;
  updateKey(key: KeyRecord): Promise<void>;
  /** Deletes the key with its material, tags, aliases, grants and import parameters, and uncounts it. */
  deleteKey(ref: KeyRef): Promise<void>;

  insertMaterial(ref: KeyRef, material: MaterialRecord): Promise<void>;
  /** Deletes one material version (imported material deleted or expired); nothing if there is none. */
  deleteMaterial(ref: KeyRef, materialId: string): Promise<void>;

  /**
   * Stores a wrapping key pair and import token, and deletes those that expired before `purgeBefore` (kept a
   * while after expiry, so that a late import hears its token expired rather than unknown).
   */
  insertImportParameters(parameters: ImportParametersRecord, purgeBefore: Date): Promise<void>;
  getImportParameters(tokenId: string): Promise<ImportParametersRecord | undefined>;

  /** Throws StoreConflictError when the account and Region have a store of that ID or name already. */
  insertCustomKeyStore(store: CustomKeyStoreRecord): Promise<void>;
  /** Throws StoreConflictError when the new name is another store's. */
  updateCustomKeyStore(store: CustomKeyStoreRecord): Promise<void>;
  deleteCustomKeyStore(accountId: string, region: string, customKeyStoreId: string): Promise<void>;

  putTags(ref: KeyRef, tags: readonly TagRecord[]): Promise<void>;
  deleteTags(ref: KeyRef, tagKeys: readonly string[]): Promise<void>;

  insertAlias(alias: AliasRecord): Promise<void>;
  updateAlias(alias: AliasRecord): Promise<void>;
  deleteAlias(accountId: string, region: string, aliasName: string): Promise<void>;

  insertGrant(grant: GrantRecord): Promise<void>;
  /** Whether the grant existed. */
  deleteGrant(ref: KeyRef, grantId: string): Promise<boolean>;

  insertAccessKey(key: AccessKeyRecord): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  /** Whether the key existed. */
  updateAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;

  /** Throws StoreConflictError when the account has a user (role) of that name in any case. */
  insertIdentity(identity: IdentityRecord): Promise<void>;
  /** Whether it existed. */
  deleteIdentity(accountId: string, kind: IdentityKind, name: string): Promise<boolean>;
  /** Adds the policy, or replaces the owner's policy of that name. */
  putInlinePolicy(policy: InlinePolicyRecord): Promise<void>;
  /** Whether it existed. */
  deleteInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string): Promise<boolean>;
  insertSession(session: SessionRecord): Promise<void>;

  putSetting(name: string, value: string): Promise<void>;
  /**
   * Writes the setting unless it already has a value, and returns the value now stored (this one or the
   * earlier one): values that must be chosen once for every node (the root key's salt and check value).
   */
  putSettingIfAbsent(name: string, value: string): Promise<string>;

  /** Appends to the audit trail: committed with the transaction's other writes, or not at all. */
  insertAuditRecords(records: readonly AuditRecord[]): Promise<void>;

  /** Records each use unless a later one is already recorded for its key; uses of keys deleted since are dropped. */
  putKeyLastUses(uses: readonly KeyUseRecord[]): Promise<void>;

  /**
   * The material pool: secrets generated ahead of need, wrapped under the root key. Adds the secret unless its
   * key spec already has `poolSize` pooled (then answers false), deciding one add at a time per key spec, so
   * nodes refilling together fill the pool to its size and no further.
   */
  addPooledSecret(secret: PooledSecret, poolSize: number): Promise<boolean>;
  /** Removes and returns the oldest pooled secret of a key spec; each one is handed out once, whatever the race. */
  takePooledSecret(keySpec: string): Promise<PooledSecret | undefined>;

  /**
   * Deletes every key, alias, tag, grant and last use, keeping settings and access keys (what binds the store to its
   * root key, and who may call it): the dev posture's reset. Announced as a resync.
   */
  wipe(): Promise<void>;
}

/**
 * The writes Trent makes on their own, outside any request's transaction (the root key's settings, access keys
 * from the CLI, the usage tracker's batches, the material pool): on the store, each is a transaction of one write.
 */
export type SingleWrites = Pick<StoreOps,
  'putSettingIfAbsent' | 'insertAccessKey' | 'deleteAccessKey' | 'putKeyLastUses' | 'addPooledSecret' | 'takePooledSecret'>;

export interface PooledSecret {
  readonly id: string;
  readonly keySpec: string;
  readonly createdAt: Date;
  readonly wrapped: Buffer;
}

/**
 * A committed write another part of Trent may hold a copy of: a key (its record, tags or material), an alias,
 * an access key (or STS session), an IAM user or role (or its inline policies) or a setting, named by `changeId`. `resync` says changes may have been missed (a node's
 * notification connection dropped, another process wrote to a shared SQLite file, the store was wiped or
 * restored): drop every cached record.
 */
export type Change =
  | { readonly kind: 'key' | 'alias' | 'accessKey' | 'identity' | 'setting'; readonly id: string }
  | { readonly kind: 'resync' };
export type ChangeListener = (change: Change) => void;

/** The `id` of a key's or an alias's Change. */
export const changeId = {
  key: (ref: KeyRef): string => `${ref.accountId}/${ref.region}/${ref.keyId}`,
  alias: (accountId: string, region: string, aliasName: string): string => `${accountId}/${region}/${aliasName}`,
  /** A user or role (its record or its inline policies). */
  identity: (accountId: string, kind: IdentityKind, name: string): string => `${accountId}/${kind}/${name.toLowerCase()}`,
};

/** One row of a table, as backup and restore carry it: column name → value. */
export type TableRow = Record<string, string | number | Buffer | null>;

/** A store: single reads and writes, transactions, and what a running Trent needs around them. */
export interface Store extends StoreReads, SingleWrites {
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Told how long each COMMIT took until durable, in seconds, when set (the server's metrics). */
  commitTimer: ((seconds: number) => void) | undefined;
  /**
   * Calls `listener` after every committed write, from this process or (PostgreSQL: LISTEN/NOTIFY; SQLite:
   * a poll of the file's data version) any other process sharing the store. Returns the unsubscribe.
   */
  onChange(listener: ChangeListener): () => void;
  /** How many of MIGRATIONS the store has applied (it applies the missing ones when opened). */
  schemaVersion(): Promise<number>;
  /**
   * Appends audit records written on their own (a request that writes nothing, or failed): concurrent calls
   * share one transaction, so many requests' records cost one commit. Resolves once they are durable.
   */
  appendAudit(record: AuditRecord): Promise<void>;
  /** The audit trail in time order, filtered. */
  readAudit(query: AuditQuery): AsyncIterable<AuditRecord>;
  /** Every row of every table, read from one consistent snapshot (backup). */
  exportRows(): AsyncIterable<{ table: string; row: TableRow }>;
  /** Loads rows into this store, which must hold no records yet, in one transaction (restore). */
  importRows(rows: AsyncIterable<{ table: string; row: TableRow }>): Promise<void>;
  close(): Promise<void>;
}

/** A write that collides with an existing record (an alias name taken, an access key ID reused). */
export class StoreConflictError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
  }
}
