import { timingSafeEqual } from 'node:crypto';
import type { RootKey } from '../keys/root-key.js';
import { wrapIdentity } from '../keys/root-key.js';
import { newAccessKey, newUser } from '../ops/iam/records.js';
import { sessionTokenHash } from '../ops/sts/session-token.js';
import type { AccessKeyRecord, Store, StoreOps } from '../store/types.js';
import { LruMap } from '../util/lru.js';
import { SigningKeys } from '../util/sigv4.js';

export interface AccessKeyIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  /** Absent for a key of the account root. */
  readonly userName?: string | undefined;
}

/**
 * A stored access key as requests are checked against it: its secret is held only inside its signing keys,
 * which are derived once and dropped with the cached entry (when the key changes, or is evicted).
 */
export interface KnownAccessKey {
  readonly accessKeyId: string;
  readonly accountId: string;
  readonly signingKeys: SigningKeys;
  /**
   * Who signs with it, as ARNs name it after `arn:PARTITION:`: `iam::ACCT:root`, `iam::ACCT:user/path/name`,
   * `sts::ACCT:assumed-role/role/session`.
   */
  readonly principal: string;
  /** The IAM identity whose policies apply (`iam::ACCT:user/…` or `iam::ACCT:role/…`); absent for the root. */
  readonly identity?: string | undefined;
  /** Temporary credentials (STS): the token the request must carry, and when they stop working. */
  readonly session?: { readonly tokenHash: Buffer; readonly expiresAt: Date } | undefined;
}

/** Whether `token` is the session's (in constant time). */
export function tokenMatches(key: KnownAccessKey, token: string | undefined): boolean {
  if (!key.session || token === undefined) return false;
  return timingSafeEqual(sessionTokenHash(token), key.session.tokenHash);
}

/**
 * The access keys requests are signed with: IAM users' and the account roots' (access_keys), and STS
 * sessions'. Secrets are stored wrapped under the root key; `trent access-key` makes and deletes keys here.
 */
export class AccessKeys {
  /**
   * Unwrapped identities. The store's change feed drops an entry as soon as its key is created, deleted or
   * (de)activated anywhere; the expiry bounds staleness while that feed is down (a lost PostgreSQL notification
   * connection).
   */
  private readonly known = new LruMap<string, { identity: KnownAccessKey; until: number }>(10_000);
  /**
   * Access key IDs the store does not have, or has Inactive (a client retrying with a deleted key), kept apart
   * and small: a flood of random IDs evicts only other unknown IDs, never a known key.
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

  /**
   * A new key of `userName` (undefined: the account root), made with the user if it does not exist yet (the CLI's
   * shortcut). `tx`: a transaction to write it in (the first start's administrator key), else one of its own.
   */
  async create(accountId: string, userName: string | undefined, tx?: StoreOps): Promise<AccessKeyIdentity> {
    const write = async (t: StoreOps): Promise<AccessKeyIdentity> => {
      const now = new Date();
      let owner = userName;
      if (userName !== undefined) {
        const user = await t.getIdentity(accountId, 'user', userName);
        if (!user) await t.insertIdentity(newUser(accountId, userName, '/', now));
        owner = user?.name ?? userName;
      }
      const { record, secretAccessKey } = newAccessKey(this.root, accountId, owner, now);
      await t.insertAccessKey(record);
      return { accessKeyId: record.accessKeyId, secretAccessKey, accountId, userName: owner };
    };
    return tx ? write(tx) : this.store.transaction(write);
  }

  list(): Promise<AccessKeyRecord[]> {
    return this.store.listAccessKeys();
  }

  async delete(accessKeyId: string): Promise<boolean> {
    return this.store.deleteAccessKey(accessKeyId);
  }

  /** The key, if it exists and is usable (an Inactive key is not); a session's expiry is the caller's to check. */
  async lookup(accessKeyId: string): Promise<KnownAccessKey | undefined> {
    const now = Date.now();
    const hit = this.known.get(accessKeyId);
    if (hit && hit.until > now) return hit.identity;
    if ((this.unknown.get(accessKeyId) ?? 0) > now) return undefined;
    const generation = this.generation;
    const identity = await this.read(accessKeyId);
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

  private async read(accessKeyId: string): Promise<KnownAccessKey | undefined> {
    if (accessKeyId.startsWith('ASIA')) {
      const s = await this.store.getSession(accessKeyId);
      return s && {
        accessKeyId,
        accountId: s.accountId,
        signingKeys: this.signingKeys(accessKeyId, s.wrappedSecret),
        principal: `sts::${s.accountId}:assumed-role/${s.roleName}/${s.sessionName}`,
        identity: s.roleArn.replace(/^arn:[^:]+:/, ''),
        session: { tokenHash: Buffer.from(s.tokenHash, 'hex'), expiresAt: s.expiresAt },
      };
    }
    const record = await this.store.getAccessKey(accessKeyId);
    if (!record || record.status !== 'Active') return undefined;
    const base = { accessKeyId, accountId: record.accountId, signingKeys: this.signingKeys(accessKeyId, record.wrappedSecret) };
    if (record.userName === undefined) return { ...base, principal: `iam::${record.accountId}:root` };
    const user = await this.store.getIdentity(record.accountId, 'user', record.userName);
    if (!user) return undefined;
    const resource = `iam::${record.accountId}:user${user.path}${user.name}`;
    return { ...base, principal: resource, identity: resource };
  }

  private signingKeys(accessKeyId: string, wrappedSecret: Buffer): SigningKeys {
    return new SigningKeys(this.root.unwrap(wrapIdentity.accessKey(accessKeyId), wrappedSecret).toString());
  }
}
