import type { Caller } from '../model/caller.js';
import type { RootKey } from '../keys/root-key.js';
import type { OperationInputs, OperationName, OperationOutputs } from '../model/types.gen.js';
import type { KeyRef, Store, StoreOps, StoreReads } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { HsmTokens } from './custom-key-stores/hsm-port.js';
import type { XksProxy } from './custom-key-stores/xks-port.js';
import type { MaterialPool } from './material-pool.js';
import type { RequestRates } from './quotas/request-rates.js';
import type { Quotas, RateQuota } from './quotas/settings.js';
import type { UsageTracker } from './usage/tracker.js';

export type { Caller };

export interface Settings {
  readonly posture: 'dev' | 'serve';
  /** Offer SM2 outside the China partition (AWS offers it only in aws-cn). */
  readonly sm2Everywhere: boolean;
  /**
   * Whether the resolver authorizes each use of a key against its key policy (serve). The dev posture accepts
   * any credentials as any account, so a policy there would protect nothing: it does not enforce them.
   */
  readonly enforceKeyPolicies: boolean;
}

/** IAM identities as authorization reads them (server/identities… implements it, cached, invalidated by the change feed). */
export interface Identities {
  /** The inline policy documents (JSON texts) of the user or role `identityArn`; [] when it has none or no longer exists. */
  policiesOf(identityArn: string, reader?: IdentityReader): Promise<readonly string[]>;
  /** Whether `principalArn` names an existing IAM user or role of its account, or an account root (always true). */
  exists(principalArn: string, reader?: IdentityReader): Promise<boolean>;
}

/**
 * Where an identity missing from the cache is read: the store by default, or the transaction a request holds (a
 * request holding a connection must never wait for a second one: many at once would exhaust the pool and wait
 * for each other for ever).
 */
export type IdentityReader = Pick<StoreReads, 'getIdentity' | 'listInlinePolicies'>;

/** What operations work with: the durable store, the root key, the clock. Built once by the server. */
export interface Deps {
  readonly store: Store;
  readonly root: RootKey;
  readonly clock: Clock;
  readonly settings: Settings;
  /** Each key's last cryptographic use (GetKeyLastUsage), noted in memory and written in batches. */
  readonly usage: UsageTracker;
  /** Secrets generated ahead for slow key specs; `secretFor` is how new key material is made. */
  readonly pool: MaterialPool;
  /** The resource quotas operations check (the request-rate ones are `rates`'). */
  readonly quotas: Quotas;
  readonly rates: RequestRates;
  readonly identities: Identities;
  /** How external key store proxies are reached (src/xks/client.ts behind the port). */
  readonly xks: XksProxy;
  /** The PKCS#11 tokens behind AWS_CLOUDHSM key stores (src/pkcs11/tokens.ts behind the port). */
  readonly hsm: HsmTokens;
}

/** One call to a custom key store's backing (an XKS proxy), as the request's audit record shows it. */
export interface ExternalCall {
  readonly customKeyStoreId: string;
  /** The proxy API's operation (GetHealthStatus, GetKeyMetadata, Encrypt, Decrypt). */
  readonly operation: string;
  readonly latencyMs: number;
  /** "Success", or why it failed (the proxy's errorName, Timeout, Unreachable…). */
  readonly outcome: string;
}

export interface OpContext {
  /** The operation the request calls: KMS's (an XKS proxy is told it, as requestMetadata.kmsOperation), IAM's or STS's. */
  readonly operation: string;
  readonly caller: Caller;
  readonly requestId: string;
  /** The request's moment on Trent's clock: one value for the whole request. */
  readonly now: Date;
  readonly deps: Deps;
  /**
   * The operation's decoded input as the resolver's policy conditions read it (encryption context,
   * algorithms), so that authorizing needs nothing from the handler; handlers read their typed input.
   */
  readonly input: Readonly<Record<string, unknown>>;
  /** The client's address (aws:SourceIp), when the transport knows it. */
  readonly sourceIp: string | undefined;
  /** Whether the request came over TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
  /** The keys the request uses cryptographically, recorded by the resolver; noted for GetKeyLastUsage on success. */
  readonly keysUsed: KeyRef[];
  /** Every key the request reached (found by the resolver, or created), allowed or not: its audit record's resources. */
  readonly keysReached: KeyRef[];
  /**
   * The request's writes, in one transaction that also commits the request's audit record: a request's
   * changes and its record are durable together or not at all. Handlers write through this, never through
   * `deps.store.transaction`, and at most once per request.
   */
  transaction<T>(fn: (tx: StoreOps) => Promise<T>): Promise<T>;
  /** The request-rate quotas the request has been charged to by the keys it uses (ops/quotas/request-rates.ts). */
  readonly ratesCharged: RateQuota[];
  /** The calls the request made to custom key stores' backings, for its audit record. */
  readonly externalCalls: ExternalCall[];
}

export type Handler<Op extends OperationName> = (input: OperationInputs[Op], ctx: OpContext) => Promise<OperationOutputs[Op]>;

/** One handler for every operation of the model: a missing one is a compile error. */
export type HandlerMap = { readonly [Op in OperationName]: Handler<Op> };
