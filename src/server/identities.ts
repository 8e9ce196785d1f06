import type { Identities, IdentityReader } from '../ops/context.js';
import { changeId, type IdentityKind, type Store } from '../store/types.js';
import { parseArn } from '../util/arn.js';
import { LruMap } from '../util/lru.js';

/** The account, kind and name (and path, for ARNs that carry one) an IAM or STS principal ARN names. */
function identityNamed(arn: string): { accountId: string; kind: IdentityKind; name: string; path?: string } | 'root' | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.region !== '') return undefined;
  if (parsed.service === 'iam') {
    if (parsed.resource === 'root') return 'root';
    const m = /^(user|role)(\/(?:.*\/)?)([^/]+)$/.exec(parsed.resource);
    return m ? { accountId: parsed.accountId, kind: m[1] as IdentityKind, path: m[2]!, name: m[3]! } : undefined;
  }
  // A session's ARN names its role (without the role's path) and the session.
  const session = parsed.service === 'sts' ? /^assumed-role\/([^/]+)\/[^/]+$/.exec(parsed.resource) : null;
  return session ? { accountId: parsed.accountId, kind: 'role', name: session[1]! } : undefined;
}

/**
 * IAM identities as authorization reads them, from the store, cached. The change feed drops an identity's
 * entries as soon as it or one of its inline policies changes anywhere (every worker, every node); the expiry
 * bounds staleness while that feed is down.
 */
export class StoredIdentities implements Identities {
  private readonly policies = new LruMap<string, { value: readonly string[]; until: number }>(10_000);
  /** Each identity's path and name as stored (null: there is none). */
  private readonly existing = new LruMap<string, { value: string | null; until: number }>(10_000);
  private static readonly CACHE_MS = 5_000;
  /** Moves on every change: a read that started before one does not cache what it read. */
  private generation = 0;

  constructor(private readonly store: Store) {
    store.onChange((change) => {
      if (change.kind === 'identity') {
        this.policies.delete(change.id);
        this.existing.delete(change.id);
      } else if (change.kind === 'resync') {
        this.policies.clear();
        this.existing.clear();
      } else {
        return;
      }
      this.generation++;
    });
  }

  async policiesOf(identityArn: string, reader: IdentityReader = this.store): Promise<readonly string[]> {
    const named = identityNamed(identityArn);
    if (!named || named === 'root') return [];
    return this.cached(this.policies, changeId.identity(named.accountId, named.kind, named.name), async () => {
      // IAM allows at most a few kilobytes of inline policy per identity: a thousand names is more than can exist.
      const found = await reader.listInlinePolicies(named.accountId, named.kind, named.name, { limit: 1000 });
      return found.map((p) => p.document);
    });
  }

  async exists(principalArn: string, reader: IdentityReader = this.store): Promise<boolean> {
    const named = identityNamed(principalArn);
    if (named === 'root') return true;
    if (!named) return false;
    const stored = await this.cached(this.existing, changeId.identity(named.accountId, named.kind, named.name), async () => {
      const identity = await reader.getIdentity(named.accountId, named.kind, named.name);
      return identity ? `${identity.path}${identity.name}` : null;
    });
    // An ARN with a path names the identity only with its own path (a session's ARN has none).
    return stored !== null && (named.path === undefined || stored === `${named.path}${named.name}`);
  }

  private async cached<T>(cache: LruMap<string, { value: T; until: number }>, key: string, read: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = cache.get(key);
    if (hit && hit.until > now) return hit.value;
    const generation = this.generation;
    const value = await read();
    if (generation === this.generation) cache.set(key, { value, until: now + StoredIdentities.CACHE_MS });
    return value;
  }
}
