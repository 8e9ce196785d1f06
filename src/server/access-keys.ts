import { randomBytes, randomInt } from 'node:crypto';
import type { RootKey } from '../keys/root-key.js';
import { wrapIdentity } from '../keys/root-key.js';
import type { AccessKeyRecord, Store, StoreOps } from '../store/types.js';
import { LruMap } from '../util/lru.js';
import { SigningKeys } from '../util/sigv4.js';

export interface AccessKeyIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly userName: string;
}

/**
 * A stored access key as requests are checked against it: its secret is held only inside its signing keys,
 * which are derived once and dropped with the cached entry (when the key changes, or is evicted).
 */
export interface KnownAccessKey {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly userName: string;
  readonly signingKeys: SigningKeys;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AKIA + 16 base-32 characters, the form of AWS long-term access key IDs. */
function newAccessKeyId(): string {
  let id = 'AKIA';
  for (let i = 0; i < 16; i++) id += BASE32[randomInt(32)];
  return id;
}

/** The serve posture's access keys: secrets stored wrapped under the root key, created and deleted by the CLI. */
export class AccessKeys {
  /**
   * Unwrapped identities. The store's change feed drops an entry as soon as its key is created or deleted
   * anywhere; the expiry bounds staleness while that feed is down (a lost PostgreSQL notification connection).
   */
  private readonly known = new LruMap<string, { identity: KnownAccessKey; until: number }>(10_000);
  /**
   * Access key IDs the store does not have (a client retrying with a deleted key), kept apart and small: a
   * flood of random IDs evicts only other unknown IDs, never a known key.
   */
  private readonly unknown = new LruMap<string, number>(1_000);
  private static readonly CACHE_MS = 5_000;
  /** Moves on every change: a lookup that started before one does not cache what it read. */
  private generation = 0;

  constructor(private readonly store: Store, private readonly root: RootKey) {
    store.onChange((change) => {
      if (change.kind === 'accessKey') {
        this.known.delete(change.id);
        this.unknown.delete(change.id);
      } else if (change.kind === 'resync') {
        this.known.clear();
        this.unknown.clear();
      } else {
        return;
      }
      this.generation++;
    });
  }

  /** `tx`: a transaction to write it in (the first start's administrator key), else a transaction of its own. */
  async create(accountId: string, userName: string, tx: Pick<StoreOps, 'insertAccessKey'> = this.store): Promise<AccessKeyIdentity> {
    const identity = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      accountId,
      userName,
    };
    await tx.insertAccessKey({
      accessKeyId: identity.accessKeyId,
      accountId,
      userName,
      createdAt: new Date(),
      wrappedSecret: this.root.wrap(wrapIdentity.accessKey(identity.accessKeyId), Buffer.from(identity.secretAccessKey)),
    });
    return identity;
  }

  list(): Promise<AccessKeyRecord[]> {
    return this.store.listAccessKeys();
  }

  async delete(accessKeyId: string): Promise<boolean> {
    return this.store.deleteAccessKey(accessKeyId);
  }

  async lookup(accessKeyId: string): Promise<KnownAccessKey | undefined> {
    const now = Date.now();
    const hit = this.known.get(accessKeyId);
    if (hit && hit.until > now) return hit.identity;
    if ((this.unknown.get(accessKeyId) ?? 0) > now) return undefined;
    const generation = this.generation;
    const record = await this.store.getAccessKey(accessKeyId);
    const identity = record && {
      accessKeyId,
      accountId: record.accountId,
      userName: record.userName,
      signingKeys: new SigningKeys(this.root.unwrap(wrapIdentity.accessKey(accessKeyId), record.wrappedSecret).toString()),
    };
    if (generation !== this.generation) return identity;
    const until = now + AccessKeys.CACHE_MS;
    if (identity) {
      this.known.set(accessKeyId, { identity, until });
    } else {
      this.known.delete(accessKeyId);
      this.unknown.set(accessKeyId, until);
    }
    return identity;
  }
}
