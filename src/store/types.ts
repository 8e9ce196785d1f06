import type {
  ExpirationModelType, KeyLastUsageTrackingOperation, KeySpec, KeyState, KeyUsageType, MultiRegionKeyType, OriginType, RotationType,
} from '../model/types.gen.js';

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

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /** The secret access key wrapped under the root key. */
  readonly wrappedSecret: Buffer;
  readonly accountId: string;
  readonly userName: string;
  readonly createdAt: Date;
}

/** A page of a key-ordered listing: `after` is the last key of the previous page. */
export interface PageQuery {
  readonly after?: string | undefined;
  readonly limit: number;
}

/**
 * Everything a request can read or write. The store itself answers single reads (each its own consistent
 * snapshot); `transaction` runs several reads and writes atomically and durably: when it resolves, the
 * writes survive kill -9 and power loss; when it rejects, none of them happened.
 */
export interface StoreOps {
  getKey(ref: KeyRef): Promise<KeyRecord | undefined>;
  /**
   * Inside a transaction: the key, locked until the transaction ends, so a read-modify-write of it (state
   * changes, rotation, tags, deletion) never loses a concurrent update. Every such write reads through this.
   */
  lockKey(ref: KeyRef): Promise<KeyRecord | undefined>;
  listKeys(accountId: string, region: string, page: PageQuery): Promise<KeyRecord[]>;
  /** Keys whose time has come: PendingDeletion past their deletion date, or rotation due. */
  keysDue(now: Date, limit: number): Promise<KeyRecord[]>;
  insertKey(key: KeyRecord): Promise<void>;
  updateKey(key: KeyRecord): Promise<void>;
  /** Deletes the key with its material, tags and aliases. */
  deleteKey(ref: KeyRef): Promise<void>;

  getMaterial(ref: KeyRef, materialId: string): Promise<MaterialRecord | undefined>;
  listMaterials(ref: KeyRef): Promise<MaterialRecord[]>;
  insertMaterial(ref: KeyRef, material: MaterialRecord): Promise<void>;

  listTags(ref: KeyRef): Promise<TagRecord[]>;
  putTags(ref: KeyRef, tags: readonly TagRecord[]): Promise<void>;
  deleteTags(ref: KeyRef, tagKeys: readonly string[]): Promise<void>;

  getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined>;
  listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery): Promise<AliasRecord[]>;
  insertAlias(alias: AliasRecord): Promise<void>;
  updateAlias(alias: AliasRecord): Promise<void>;
  deleteAlias(accountId: string, region: string, aliasName: string): Promise<void>;

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;
  insertAccessKey(key: AccessKeyRecord): Promise<void>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  getSetting(name: string): Promise<string | undefined>;
  putSetting(name: string, value: string): Promise<void>;

  getKeyLastUse(ref: KeyRef): Promise<KeyUseRecord | undefined>;
  /** Records each use unless a later one is already recorded for its key; uses of keys deleted since are dropped. */
  putKeyLastUses(uses: readonly KeyUseRecord[]): Promise<void>;
}

export interface Store extends StoreOps {
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** Deletes every record but the settings that bind the store to its root key (dev posture reset). */
  wipe(): Promise<void>;
  close(): Promise<void>;
}

/** A write that collides with an existing record (an alias name taken, an access key ID reused). */
export class StoreConflictError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
  }
}
