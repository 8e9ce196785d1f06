import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POOL_SIZES, parsePoolSizes, type PoolSizes } from '../ops/pool-sizes.js';
import { DEFAULT_QUOTAS, parseQuotas, type Quotas } from '../ops/quotas/settings.js';
import { parseLogLevel, type LogFormat, type LogLevel } from '../util/log.js';
import { parseTokens, type TokenConfig } from '../pkcs11/tokens.js';

export type Posture = 'dev' | 'serve';

/** Everything `trent dev` and `trent serve` can be told, from flags or the environment (flags win). */
export interface Config {
  readonly posture: Posture;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** postgres://… to use PostgreSQL; SQLite in dataDir otherwise. */
  readonly databaseUrl: string | undefined;
  /** The account of dev-posture callers whose access key ID is not itself a 12-digit account ID. */
  readonly accountId: string;
  /** The Region of unsigned dev-posture requests (signed ones name theirs). */
  readonly defaultRegion: string;
  readonly sm2Everywhere: boolean;
  /** Secrets to keep generated ahead, per slow key spec (RSA). */
  readonly keyPool: PoolSizes;
  /** Worker processes sharing the port: by default one per core. */
  readonly workers: number;
  /** Allowed difference between a request's signing time and the server clock. */
  readonly maxSkewMs: number;
  /** Resource and request-rate quotas (ops/quotas/settings.ts). */
  readonly quotas: Quotas;
  /** PEM files: both set, Trent serves HTTPS only (server/tls.ts); neither, plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** The operator's word that clients reach Trent over TLS ended by a proxy in front (so plain HTTP may leave loopback). */
  readonly tlsTerminatedByProxy: boolean;
  /** serve's first start writes the administrator's credentials here (0600) rather than to stdout. */
  readonly adminCredentialsFile: string | undefined;
  /**
   * dev only: enforce key policies, identity policies and grants as serve does, so a test can prove what a
   * caller may not do. serve always enforces them.
   */
  readonly enforcePolicies: boolean;
  /** How Trent reaches external key store proxies (src/xks/client.ts). */
  readonly xks: {
    /** PEM certificates trusted besides the public CAs, for a proxy whose certificate a private CA issued. */
    readonly caFile: string | undefined;
    /** host → address:port to connect to instead of the host at port 443 (the endpoint's URI takes no port). */
    readonly resolve: ReadonlyMap<string, { readonly address: string; readonly port: number }>;
    readonly timeoutMs: number;
  };
  /** The PKCS#11 tokens AWS_CLOUDHSM key stores may name, by CloudHsmClusterId (TRENT_CLOUDHSM_TOKENS, JSON). */
  readonly cloudHsmTokens: ReadonlyMap<string, TokenConfig>;
  /** The least severe log records written (default info: one line per request). */
  readonly logLevel: LogLevel;
  /** dev only: a seed file (YAML or JSON) whose keys and aliases every start makes if missing (ops/seed). */
  readonly seed: string | undefined;
}

/** dev's logs are lines for a person at a terminal; serve's are JSON lines for a log pipeline. */
export function logFormatOf(config: Pick<Config, 'posture'>): LogFormat {
  return config.posture === 'dev' ? 'line' : 'json';
}

export const ENV = {
  host: 'TRENT_HOST',
  port: 'TRENT_PORT',
  dataDir: 'TRENT_DATA_DIR',
  databaseUrl: 'TRENT_DATABASE_URL',
  accountId: 'TRENT_ACCOUNT_ID',
  defaultRegion: 'TRENT_DEFAULT_REGION',
  sm2Everywhere: 'TRENT_SM2_EVERYWHERE',
  workers: 'TRENT_WORKERS',
  keyPool: 'TRENT_KEY_POOL',
  quotas: 'TRENT_QUOTAS',
  tlsCert: 'TRENT_TLS_CERT',
  tlsKey: 'TRENT_TLS_KEY',
  tlsTerminatedByProxy: 'TRENT_TLS_TERMINATED_BY_PROXY',
  adminCredentialsFile: 'TRENT_ADMIN_CREDENTIALS_FILE',
  enforcePolicies: 'TRENT_ENFORCE_POLICIES',
  logLevel: 'TRENT_LOG_LEVEL',
  xksCaFile: 'TRENT_XKS_CA_FILE',
  xksResolve: 'TRENT_XKS_RESOLVE',
  xksTimeoutMs: 'TRENT_XKS_TIMEOUT_MS',
  cloudHsmTokens: 'TRENT_CLOUDHSM_TOKENS',
  seed: 'TRENT_SEED',
} as const;

const isTrue = (v: string | undefined) => ['1', 'true', 'yes'].includes((v ?? '').toLowerCase());

export type ConfigFlags = Partial<Record<keyof typeof ENV, string>>;

export function loadConfig(posture: Posture, flags: ConfigFlags, env: NodeJS.ProcessEnv = process.env): Config {
  const get = (k: keyof typeof ENV) => flags[k] ?? env[ENV[k]];
  const port = Number(get('port') ?? 4599);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${get('port')}`);
  const accountId = get('accountId') ?? '111122223333';
  if (!/^\d{12}$/.test(accountId)) throw new Error(`invalid account ID (12 digits): ${accountId}`);
  const workers = Number(get('workers') ?? availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`invalid worker count: ${get('workers')}`);
  const [certFile, keyFile] = [get('tlsCert'), get('tlsKey')];
  if ((certFile === undefined) !== (keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together: give both, or neither');
  return {
    posture,
    workers,
    keyPool: get('keyPool') === undefined ? DEFAULT_POOL_SIZES : parsePoolSizes(get('keyPool')!),
    host: get('host') ?? '127.0.0.1',
    port,
    dataDir: get('dataDir') ?? join(process.cwd(), '.trent'),
    databaseUrl: get('databaseUrl'),
    accountId,
    defaultRegion: get('defaultRegion') ?? 'us-east-1',
    sm2Everywhere: isTrue(get('sm2Everywhere')),
    maxSkewMs: 5 * 60 * 1000,
    quotas: get('quotas') === undefined ? DEFAULT_QUOTAS : parseQuotas(get('quotas')!),
    tls: certFile && keyFile ? { certFile, keyFile } : undefined,
    tlsTerminatedByProxy: isTrue(get('tlsTerminatedByProxy')),
    adminCredentialsFile: get('adminCredentialsFile'),
    enforcePolicies: posture === 'serve' || isTrue(get('enforcePolicies')),
    logLevel: parseLogLevel(get('logLevel') ?? 'info'),
    xks: {
      caFile: get('xksCaFile'),
      resolve: parseResolve(get('xksResolve') ?? ''),
      timeoutMs: parseTimeout(get('xksTimeoutMs') ?? '250'),
    },
    cloudHsmTokens: parseTokens(get('cloudHsmTokens')),
    seed: get('seed') || undefined,
  };
}

/** `host=address:port,…`: where to reach the XKS proxies of those hosts. */
function parseResolve(text: string): Map<string, { address: string; port: number }> {
  const map = new Map<string, { address: string; port: number }>();
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9.-]+)=(.+):(\d+)$/.exec(entry);
    if (!m || Number(m[3]) > 65535) throw new Error(`invalid ${ENV.xksResolve} entry (host=address:port): ${entry}`);
    map.set(m[1]!.toLowerCase(), { address: m[2]!, port: Number(m[3]) });
  }
  return map;
}

function parseTimeout(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1) throw new Error(`invalid ${ENV.xksTimeoutMs}: ${text}`);
  return ms;
}
