import { AuditBatcher } from './audit-trail.js';
import type {
  AccessKeyRecord, AuditQuery, IdentityKind, AuditRecord, GrantFilter, KeyRef, KeyUseRecord, PageQuery, PooledSecret, SingleWrites, StoreOps, StoreReads,
} from './types.js';

/**
 * What every backend's Store does the same way, written once: a single read is the backend's read statement
 * on its read connection(s), and a single write is a transaction of that one write.
 */
export abstract class StoreBase implements StoreReads, SingleWrites {
  /** The statements single reads run on; a promise, so that a backend can hold reads until it is ready (migrated). */
  protected abstract readonly reads: Promise<StoreReads>;
  abstract transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;

  getKey(ref: KeyRef) { return this.reads.then((r) => r.getKey(ref)); }
  listKeys(accountId: string, region: string, page: PageQuery) { return this.reads.then((r) => r.listKeys(accountId, region, page)); }
  listRelatedKeys(accountId: string, keyId: string) { return this.reads.then((r) => r.listRelatedKeys(accountId, keyId)); }
  keysDue(now: Date, limit: number) { return this.reads.then((r) => r.keysDue(now, limit)); }
  getMaterial(ref: KeyRef, materialId: string) { return this.reads.then((r) => r.getMaterial(ref, materialId)); }
  listMaterials(ref: KeyRef) { return this.reads.then((r) => r.listMaterials(ref)); }
  listTags(ref: KeyRef) { return this.reads.then((r) => r.listTags(ref)); }
  getAlias(accountId: string, region: string, aliasName: string) { return this.reads.then((r) => r.getAlias(accountId, region, aliasName)); }
  listAliases(accountId: string, region: string, keyId: string | undefined, page: PageQuery) {
    return this.reads.then((r) => r.listAliases(accountId, region, keyId, page));
  }
  listGrants(ref: KeyRef, filter: GrantFilter, page: PageQuery) { return this.reads.then((r) => r.listGrants(ref, filter, page)); }
  listRetirableGrants(region: string, retiringPrincipal: string, page: PageQuery) {
    return this.reads.then((r) => r.listRetirableGrants(region, retiringPrincipal, page));
  }
  countGrants(ref: KeyRef, granteePrincipal?: string) { return this.reads.then((r) => r.countGrants(ref, granteePrincipal)); }
  getAccessKey(accessKeyId: string) { return this.reads.then((r) => r.getAccessKey(accessKeyId)); }
  listAccessKeys() { return this.reads.then((r) => r.listAccessKeys()); }
  listAccessKeysOf(accountId: string, userName: string | undefined) { return this.reads.then((r) => r.listAccessKeysOf(accountId, userName)); }
  getIdentity(accountId: string, kind: IdentityKind, name: string) { return this.reads.then((r) => r.getIdentity(accountId, kind, name)); }
  listIdentities(accountId: string, kind: IdentityKind, pathPrefix: string, page: PageQuery) {
    return this.reads.then((r) => r.listIdentities(accountId, kind, pathPrefix, page));
  }
  getInlinePolicy(accountId: string, kind: IdentityKind, ownerName: string, policyName: string) {
    return this.reads.then((r) => r.getInlinePolicy(accountId, kind, ownerName, policyName));
  }
  listInlinePolicies(accountId: string, kind: IdentityKind, ownerName: string, page: PageQuery) {
    return this.reads.then((r) => r.listInlinePolicies(accountId, kind, ownerName, page));
  }
  getSession(accessKeyId: string) { return this.reads.then((r) => r.getSession(accessKeyId)); }
  getSetting(name: string) { return this.reads.then((r) => r.getSetting(name)); }
  getKeyLastUse(ref: KeyRef) { return this.reads.then((r) => r.getKeyLastUse(ref)); }
  countPooledSecrets(keySpec: string) { return this.reads.then((r) => r.countPooledSecrets(keySpec)); }
  auditPage(query: AuditQuery, after: AuditRecord | undefined, limit: number) {
    return this.reads.then((r) => r.auditPage(query, after, limit));
  }

  private readonly audit = new AuditBatcher((records) => this.commitAudit(records));
  /** One batch of appended audit records, committed on its own; a backend may commit such batches its own way. */
  protected commitAudit(records: readonly AuditRecord[]): Promise<void> {
    return this.transaction((tx) => tx.insertAuditRecords(records));
  }
  appendAudit(record: AuditRecord): Promise<void> { return this.audit.append(record); }

  /** The whole trail matching `query`, a page at a time, so a long trail never sits in memory. */
  async *readAudit(query: AuditQuery): AsyncIterable<AuditRecord> {
    let after: AuditRecord | undefined;
    for (;;) {
      const page = await this.auditPage(query, after, 500);
      yield* page;
      if (page.length < 500) return;
      after = page[page.length - 1];
    }
  }
  getCustomKeyStore(accountId: string, region: string, id: string) { return this.reads.then((r) => r.getCustomKeyStore(accountId, region, id)); }
  listCustomKeyStores(accountId: string, region: string, page: PageQuery) {
    return this.reads.then((r) => r.listCustomKeyStores(accountId, region, page));
  }
  keysInCustomKeyStore(accountId: string, region: string, id: string, limit: number, xksKeyId?: string) {
    return this.reads.then((r) => r.keysInCustomKeyStore(accountId, region, id, limit, xksKeyId));
  }
  countKeys(accountId: string, region: string) { return this.reads.then((r) => r.countKeys(accountId, region)); }

  putSettingIfAbsent(name: string, value: string) { return this.transaction((tx) => tx.putSettingIfAbsent(name, value)); }
  insertAccessKey(key: AccessKeyRecord) { return this.transaction((tx) => tx.insertAccessKey(key)); }
  deleteAccessKey(accessKeyId: string) { return this.transaction((tx) => tx.deleteAccessKey(accessKeyId)); }
  putKeyLastUses(uses: readonly KeyUseRecord[]) { return this.transaction((tx) => tx.putKeyLastUses(uses)); }
  addPooledSecret(secret: PooledSecret, poolSize: number) { return this.transaction((tx) => tx.addPooledSecret(secret, poolSize)); }
  takePooledSecret(keySpec: string) { return this.transaction((tx) => tx.takePooledSecret(keySpec)); }
}
