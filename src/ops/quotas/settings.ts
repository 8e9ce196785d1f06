import type { DataKeyPairSpec, OperationName } from '../../model/types.gen.js';
import { OPERATIONS, SHAPES } from '../../model/shapes.gen.js';

/**
 * The quotas a server enforces, per account and Region as AWS counts them (kms-facts.md §1.1, §1.2). Resource
 * quotas are on by default with AWS's values; request-rate quotas are off unless configured.
 */
export interface Quotas {
  /** Customer managed keys per account and Region, whatever their state. */
  readonly keysPerRegion: number;
  readonly aliasesPerKey: number;
  readonly grantsPerKey: number;
  /** Grants for one grantee principal on one key. */
  readonly grantsPerGranteePerKey: number;
  /**
   * The UTF-8 bytes an encryption context's keys and values may add up to. AWS documents none; 8,192 bytes is
   * the associated data AWS's external key store proxies must accept, so no context AWS passes on is larger.
   */
  readonly encryptionContextBytes: number;
  readonly rates: RateSettings;
}

/**
 * A request-rate quota: one of AWS's shared cryptographic quotas (by the type of the key a request uses),
 * GenerateDataKeyPair's per key pair spec, or an operation's own.
 */
export type RateQuota = 'symmetric' | 'rsa' | 'ecc' | 'ml-dsa' | `data-key-pair.${DataKeyPairSpec}` | OperationName;

export interface RateSettings {
  /** Every request-rate quota at AWS's default for the caller's Region (`rates=aws`). */
  readonly awsDefaults: boolean;
  /** Requests per second, per quota set explicitly (`rate.NAME=N`), over the defaults. */
  readonly perSecond: ReadonlyMap<RateQuota, number>;
}

export const DEFAULT_QUOTAS: Quotas = {
  keysPerRegion: 100_000,
  aliasesPerKey: 50,
  grantsPerKey: 50_000,
  grantsPerGranteePerKey: 500,
  encryptionContextBytes: 8_192,
  rates: { awsDefaults: false, perSecond: new Map() },
};

/** The operations charged by the type of the key they use: the shared cryptographic quotas. */
export const BY_KEY_TYPE: ReadonlySet<OperationName> = new Set<OperationName>([
  'Decrypt', 'Encrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'VerifyMac',
  'Sign', 'Verify', 'DeriveSharedSecret',
]);

/** The quota a request is charged at dispatch; undefined for those charged by the type of their key. */
export function quotaOfRequest(op: OperationName, input: Readonly<Record<string, unknown>>): RateQuota | undefined {
  if (BY_KEY_TYPE.has(op)) return undefined;
  if (op === 'GenerateRandom') return 'symmetric';
  if (op === 'GenerateDataKeyPair' || op === 'GenerateDataKeyPairWithoutPlaintext') {
    return `data-key-pair.${input.KeyPairSpec as DataKeyPairSpec}`;
  }
  return op;
}

const KEY_PAIR_SPECS: readonly string[] = SHAPES.DataKeyPairSpec!.enum!;

/** Whether `rate.NAME` names a quota: a shared one, a key pair spec's, or an operation that has its own. */
function isRateQuota(name: string): name is RateQuota {
  if (['symmetric', 'rsa', 'ecc', 'ml-dsa'].includes(name)) return true;
  if (name.startsWith('data-key-pair.')) return KEY_PAIR_SPECS.includes(name.slice('data-key-pair.'.length));
  return Object.hasOwn(OPERATIONS, name) && quotaOfRequest(name as OperationName, {}) === name;
}

/** The resource quotas' names in `--quota NAME=N`. */
const RESOURCE_NAMES = {
  'keys-per-region': 'keysPerRegion',
  'aliases-per-key': 'aliasesPerKey',
  'grants-per-key': 'grantsPerKey',
  'grants-per-grantee-per-key': 'grantsPerGranteePerKey',
  'encryption-context-bytes': 'encryptionContextBytes',
} as const satisfies Record<string, Exclude<keyof Quotas, 'rates'>>;

/**
 * Parses `keys-per-region=1000,rate.CreateKey=5,rates=aws` (TRENT_QUOTAS, or the `--quota` flags joined): each
 * name given replaces its default. Refuses, at start, any name or value it does not know.
 */
export function parseQuotas(text: string): Quotas {
  const resources: { -readonly [K in keyof Quotas]?: Quotas[K] } = {};
  const perSecond = new Map<RateQuota, number>();
  let awsDefaults = false;
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const [name = '', value = ''] = part.split('=').map((s) => s.trim());
    const n = Number(value);
    if (name === 'rates') {
      if (value !== 'aws' && value !== 'off') throw new Error(`invalid quota ${part}: rates is aws or off`);
      awsDefaults = value === 'aws';
    } else if (name.startsWith('rate.')) {
      const quota = name.slice('rate.'.length);
      if (!isRateQuota(quota)) throw new Error(`invalid quota ${part}: no request-rate quota is named ${quota}`);
      if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new Error(`invalid quota ${part}: a rate is a number of requests per second above 0`);
      perSecond.set(quota, n);
    } else if (Object.hasOwn(RESOURCE_NAMES, name)) {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`invalid quota ${part}: a count of 0 or more`);
      resources[RESOURCE_NAMES[name as keyof typeof RESOURCE_NAMES]] = n;
    } else {
      throw new Error(`invalid quota ${part}: unknown name ${name}`);
    }
  }
  return { ...DEFAULT_QUOTAS, ...resources, rates: { awsDefaults, perSecond } };
}
