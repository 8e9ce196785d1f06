import { KEY_SPECS, type KeyFamilyName } from '../../keys/specs.js';
import type { Caller } from '../../model/caller.js';
import { KmsError } from '../../model/errors.js';
import type { DataKeyPairSpec, OperationName } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import { partitionOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import { BY_KEY_TYPE, quotaOfRequest, type RateQuota, type RateSettings } from './settings.js';

/**
 * AWS's request-rate quotas (kms-facts.md §1.1): AWS's default for each, and the token buckets that enforce
 * them (which quota a request counts against is in settings.ts, with the quotas' names). A request is charged before its work: at dispatch for the quotas
 * an operation (or GenerateDataKeyPair's key pair spec) decides, and in the key resolver, before the key's
 * policy is evaluated, for the shared cryptographic quotas, which depend on the type of the key used.
 */

/** HMAC keys count as symmetric, Ed25519 and SM2 keys as elliptic curve, as AWS's table groups them. */
const KEY_TYPE_QUOTA: Readonly<Record<KeyFamilyName, RateQuota>> = {
  symmetric: 'symmetric', hmac: 'symmetric', rsa: 'rsa', ecc: 'ecc', ed25519: 'ecc', sm2: 'ecc', mldsa: 'ml-dsa',
};

/** Charges the request at dispatch (the server calls this before each handler). */
export function chargeRequest(ctx: OpContext, op: OperationName): void {
  if (!ctx.deps.rates.enabled) return;
  const quota = quotaOfRequest(op, ctx.input);
  if (quota !== undefined) ctx.deps.rates.charge(ctx.caller, quota, ctx.now.getTime());
}

/**
 * The resolver calls this for every key it admits. A request using two keys of one type (ReEncrypt) counts
 * once against their quota; with keys of two types, once against each (AWS documents neither case).
 */
export function chargeKeyUse(ctx: OpContext, op: OperationName, key: KeyRecord): void {
  if (!ctx.deps.rates.enabled || !BY_KEY_TYPE.has(op)) return;
  const quota = KEY_TYPE_QUOTA[KEY_SPECS[key.keySpec].family];
  if (ctx.ratesCharged.includes(quota)) return;
  ctx.deps.rates.charge(ctx.caller, quota, ctx.now.getTime());
  ctx.ratesCharged.push(quota);
}

/** The Regions with the highest symmetric quotas; every other Region has 10,000 per second. */
const SYMMETRIC_100K = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);
const SYMMETRIC_20K = new Set(['us-east-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'eu-west-2']);

/** AWS's per-operation defaults; every operation not named here (and not shared) has 5 per second. */
const OPERATION_DEFAULTS: Partial<Record<OperationName, number>> = {
  DeleteAlias: 15, PutKeyPolicy: 15, ScheduleKeyDeletion: 15, EnableKeyRotation: 15, ImportKeyMaterial: 15,
  DeleteImportedKeyMaterial: 15, TagResource: 10, GetParametersForImport: 1,
  CreateGrant: 50, RetireGrant: 50, RevokeGrant: 50,
  ListGrants: 100, ListRetirableGrants: 100, ListKeyPolicies: 100, ListKeyRotations: 100,
  ListKeys: 500, ListAliases: 500, GetKeyPolicy: 1000, GetKeyRotationStatus: 1000,
  DescribeKey: 2000, GetPublicKey: 2000, ListResourceTags: 2000,
};

const KEY_PAIR_DEFAULTS: Readonly<Record<DataKeyPairSpec, number>> = {
  RSA_2048: 20, RSA_3072: 4, RSA_4096: 1, SM2: 25,
  ECC_NIST_P256: 100, ECC_NIST_P384: 100, ECC_NIST_P521: 100, ECC_SECG_P256K1: 100, ECC_NIST_EDWARDS25519: 100,
};
/** The China Regions' lower RSA key pair quotas. */
const KEY_PAIR_CHINA: Partial<Record<DataKeyPairSpec, number>> = { RSA_2048: 1, RSA_3072: 0.5, RSA_4096: 0.1 };

/** AWS's default for `quota` in `region`, in requests per second. */
export function awsDefaultRate(quota: RateQuota, region: string): number {
  if (quota === 'symmetric') return SYMMETRIC_100K.has(region) ? 100_000 : SYMMETRIC_20K.has(region) ? 20_000 : 10_000;
  if (quota === 'rsa' || quota === 'ecc' || quota === 'ml-dsa') return 1_000;
  if (quota.startsWith('data-key-pair.')) {
    const spec = quota.slice('data-key-pair.'.length) as DataKeyPairSpec;
    return (partitionOf(region) === 'aws-cn' ? KEY_PAIR_CHINA[spec] : undefined) ?? KEY_PAIR_DEFAULTS[spec];
  }
  return OPERATION_DEFAULTS[quota as OperationName] ?? 5;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms since the epoch, on Trent's clock). */
  at: number;
  readonly perMs: number;
  readonly capacity: number;
}

/** Per account, per Region: nested rather than keyed by one joined string, which costs an allocation and a hash per request. */
type Buckets = Map<string, Map<string, Bucket>>;

/**
 * Token buckets, one per quota, account and Region that has been used. Each worker process holds its own and
 * enforces `share` of every rate (1 / workers): counting node-wide would cost an IPC round trip per request,
 * and connections are spread evenly over the workers. A bucket holds one second of its rate (at least one
 * request), so a client may burst that much after a quiet second, as AWS's per-second quotas suggest. Time is
 * the request's moment on Trent's clock (OpContext.now): a dev clock moved forward refills every bucket.
 */
export class RequestRates {
  /** Past this many buckets, full ones (their account idle for a second or more) are dropped on the next insert. */
  static readonly SWEEP_AT = 10_000;
  readonly enabled: boolean;
  private readonly buckets = new Map<RateQuota, Buckets>();
  private count = 0;

  constructor(private readonly settings: RateSettings, private readonly share: number) {
    this.enabled = settings.awsDefaults || settings.perSecond.size > 0;
  }

  /**
   * Counts one request of the caller's account and Region against `quota` at `now` (ms); ThrottlingException
   * when the quota is spent.
   */
  charge(caller: Caller, quota: RateQuota, now: number): void {
    const b = this.buckets.get(quota)?.get(caller.accountId)?.get(caller.region) ?? this.add(caller, quota, now);
    if (!b) return;
    // Never backwards: a dev clock reset to real time refills nothing and takes nothing.
    b.tokens = Math.min(b.capacity, b.tokens + Math.max(0, now - b.at) * b.perMs);
    b.at = now;
    if (b.tokens < 1) {
      throw new KmsError('ThrottlingException', 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    }
    b.tokens -= 1;
  }

  /** A full bucket for a quota first used by this account in this Region; undefined when the quota has no rate. */
  private add(caller: Caller, quota: RateQuota, now: number): Bucket | undefined {
    const perSecond = this.settings.perSecond.get(quota)
      ?? (this.settings.awsDefaults ? awsDefaultRate(quota, caller.region) : undefined);
    if (perSecond === undefined) return undefined;
    if (this.count >= RequestRates.SWEEP_AT) this.sweep(now);
    const rate = perSecond * this.share;
    const b: Bucket = { tokens: Math.max(1, rate), at: now, perMs: rate / 1000, capacity: Math.max(1, rate) };
    let accounts = this.buckets.get(quota);
    if (!accounts) this.buckets.set(quota, accounts = new Map());
    let regions = accounts.get(caller.accountId);
    if (!regions) accounts.set(caller.accountId, regions = new Map());
    regions.set(caller.region, b);
    this.count++;
    return b;
  }

  private sweep(now: number): void {
    for (const accounts of this.buckets.values()) {
      for (const [account, regions] of accounts) {
        for (const [region, b] of regions) {
          if (b.tokens + (now - b.at) * b.perMs < b.capacity) continue;
          regions.delete(region);
          this.count--;
        }
        if (regions.size === 0) accounts.delete(account);
      }
    }
  }

  /** How many buckets are held (tests). */
  get size(): number {
    return this.count;
  }
}
