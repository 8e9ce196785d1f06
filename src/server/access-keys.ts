import { randomBytes, randomInt } from 'node:crypto';
import type { RootKey } from '../keys/root-key.js';
import { wrapIdentity } from '../keys/root-key.js';
import type { AccessKeyRecord, Store } from '../store/types.js';

export interface AccessKeyIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly userName: string;
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
  /** Unwrapped identities, briefly: a deleted key stops working everywhere within CACHE_MS. */
  private readonly cache = new Map<string, { identity: AccessKeyIdentity | undefined; until: number }>();
  private static readonly CACHE_MS = 5_000;

  constructor(private readonly store: Store, private readonly root: RootKey) {}

  async create(accountId: string, userName: string): Promise<AccessKeyIdentity> {
    const identity = {
      accessKeyId: newAccessKeyId(),
      secretAccessKey: randomBytes(30).toString('base64'),
      accountId,
      userName,
    };
    await this.store.insertAccessKey({
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
    this.cache.delete(accessKeyId);
    return this.store.deleteAccessKey(accessKeyId);
  }

  async lookup(accessKeyId: string): Promise<AccessKeyIdentity | undefined> {
    const now = Date.now();
    const hit = this.cache.get(accessKeyId);
    if (hit && hit.until > now) return hit.identity;
    const record = await this.store.getAccessKey(accessKeyId);
    const identity = record && {
      accessKeyId,
      accountId: record.accountId,
      userName: record.userName,
      secretAccessKey: this.root.unwrap(wrapIdentity.accessKey(accessKeyId), record.wrappedSecret).toString(),
    };
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(accessKeyId, { identity, until: now + AccessKeys.CACHE_MS });
    return identity;
  }
}
