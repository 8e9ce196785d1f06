import type { HttpRequestParts } from '../util/sigv4.js';
import type { App } from './app.js';
import { rootKeyMatchesStore } from './root-key-source.js';
import { exportSeed } from '../ops/seed/export-seed.js';

/**
 * The dev posture's admin endpoints, for tests that must watch time pass (a deletion window, a rotation
 * period, an import expiry) or start from nothing:
 *
 *   GET  /-/admin/clock                          → {"now": ISO time, "offsetSeconds": N}
 *   POST /-/admin/clock {"advanceSeconds": N}    → the same, after moving the clock forward and running due work
 *   POST /-/admin/reset                          → {"now": …}: every key, alias and tag gone, the clock back to real time
 *   POST /-/admin/export {"includeMaterial": true} → {"seed": YAML}: a seed file of the keys (trent export)
 *
 * The clock offset lives in the store's settings, so a restart and every worker process share it: each process
 * follows it through the store's change feed (app.ts), and GET /-/admin/clock reads it afresh. `serve` has none
 * of this: every /-/admin/ path answers 404.
 *
 * There is no authentication (dev accepts any caller), so a web page the developer visits must not be able to
 * call these cross-site: a POST must be application/json, which a browser sends cross-origin only after a CORS
 * preflight this server never answers, and a request whose Origin is another site is refused.
 */
export const ADMIN_PATH_PREFIX = '/-/admin/';
/** Trent's own endpoints: the admin API above, and in both postures health and metrics (below). */
const OWN_PATH_PREFIX = '/-/';

const CLOCK_OFFSET_SETTING = 'dev.clockOffsetMs';
/** Past year 9999 timestamps stop being four-digit ISO and SigV4 dates, and soon after stop being Dates at all. */
const CLOCK_END_MS = Date.UTC(10000, 0, 1);

export interface AdminResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

type AppParts = Pick<App, 'config' | 'deps' | 'scheduler' | 'metrics' | 'log'>;

/** Whether the request is for one of Trent's own endpoints rather than the KMS API (which is POST / only). */
export function isAdminPath(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(OWN_PATH_PREFIX);
}

/** In dev, sets this process's clock to the offset the store holds (another worker or an earlier run may have moved it). */
export async function syncDevClock(app: Pick<App, 'config' | 'deps'>): Promise<void> {
  if (app.config.posture !== 'dev') return;
  const stored = await app.deps.store.getSetting(CLOCK_OFFSET_SETTING);
  app.deps.clock.setOffset(stored === undefined ? 0 : Number(stored));
}

export async function handleAdminRequest(app: AppParts, method: string, url: string, headers: HttpRequestParts['headers'],
  body: Buffer): Promise<AdminResponse> {
  const path = url.split('?')[0]!;
  const probe = PROBES[path as keyof typeof PROBES];
  if (probe) {
    if (method !== 'GET' && method !== 'HEAD') {
      return { ...error(405, 'MethodNotAllowed', `${path} accepts GET only.`), headers: { ...JSON_HEADERS, allow: 'GET, HEAD' } };
    }
    return probe(app);
  }
  if (!path.startsWith(ADMIN_PATH_PREFIX)) return error(404, 'NotFoundException', `There is no endpoint ${path}.`);
  if (app.config.posture !== 'dev') {
    return error(404, 'NotFoundException', 'The admin endpoints exist only in the dev posture (trent dev).');
  }
  if (headers.origin !== undefined && !isSameOrigin(single(headers.origin), single(headers.host))) {
    return error(403, 'AccessDeniedException', 'The admin endpoints refuse requests from another origin.');
  }
  const route = ROUTES[path as keyof typeof ROUTES];
  if (!route) return error(404, 'NotFoundException', `There is no admin endpoint ${path}.`);
  const handler = route[method as keyof typeof route] as ((app: AppParts, body: Buffer) => Promise<AdminResponse>) | undefined;
  if (!handler) {
    return { ...error(405, 'MethodNotAllowed', `${path} does not accept ${method}.`), headers: { ...JSON_HEADERS, allow: Object.keys(route).join(', ') } };
  }
  if (method === 'POST' && mediaType(single(headers['content-type'])) !== 'application/json') {
    return error(415, 'UnsupportedMediaTypeException', `${path} takes a body of content-type application/json.`);
  }
  return handler(app, body);
}

/** A header sent once; a repeated one (an Origin or Content-Type given twice) counts as absent, hence refused. */
function single(value: string | readonly string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A browser's Origin names this server when its host (and port) is the one the request was sent to. */
function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  try {
    return origin !== undefined && host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (a sandboxed or file: page) or garbage
  }
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/**
 * For load balancers, orchestrators and Prometheus, in both postures and without authentication: they say
 * whether this worker can serve and how the node has been serving, never which keys or callers.
 */
const PROBES = {
  '/-/health': health,
  '/-/metrics': metrics,
} as const;

/** Whether the request is for a health or metrics probe. */
export function isProbePath(url: string): boolean {
  return Object.hasOwn(PROBES, url.split('?')[0]!);
}

/** How long the store may take to answer the health check's read before the worker is reported unhealthy. */
const HEALTH_STORE_TIMEOUT_MS = 2_000;

/**
 * Healthy (200) when the store answers a read within HEALTH_STORE_TIMEOUT_MS and the root key this worker holds
 * unwraps the store's check value; 503 otherwise. The reason is a fixed word: a database error may name hosts.
 */
async function health(app: AppParts): Promise<AdminResponse> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'store-timeout'>((resolve) => { timer = setTimeout(() => resolve('store-timeout'), HEALTH_STORE_TIMEOUT_MS); });
  const check = rootKeyMatchesStore(app.deps.store, app.deps.root).then((ok) => (ok ? 'ok' : 'root-key-mismatch'), () => 'store-unreachable');
  const result = await Promise.race([check, timeout]);
  clearTimeout(timer);
  const healthy = result === 'ok';
  return {
    status: healthy ? 200 : 503,
    headers: { ...JSON_HEADERS, 'cache-control': 'no-store' },
    body: Buffer.from(JSON.stringify({
      status: healthy ? 'ok' : 'unavailable',
      store: result === 'store-timeout' || result === 'store-unreachable' ? 'unreachable' : 'ok',
      rootKey: result === 'root-key-mismatch' ? 'mismatch' : result === 'ok' ? 'loaded' : 'unknown',
    })),
  };
}

async function metrics(app: AppParts): Promise<AdminResponse> {
  try {
    return { status: 200, headers: { 'content-type': app.metrics.contentType }, body: Buffer.from(await app.metrics.exposition()) };
  } catch (e) {
    app.log.warn(`metrics: ${e instanceof Error ? e.message : String(e)}`);
    return error(503, 'ServiceUnavailable', 'The metrics could not be gathered from every worker; try again.');
  }
}

const ROUTES = {
  '/-/admin/clock': { GET: showClock, POST: advanceClock },
  '/-/admin/reset': { POST: reset },
  '/-/admin/export': { POST: exportKeys },
} as const;

/**
 * `trent export`: {"includeMaterial"?: true, "accountId"?: ID, "region"?: REGION} → {"seed": the seed file's YAML}
 * for the keys of one account and Region (default: the server's account and default Region). Dev only, as
 * every admin endpoint, so material never leaves a serve store this way.
 */
async function exportKeys(app: AppParts, body: Buffer): Promise<AdminResponse> {
  const request = exportRequestOf(body);
  if (!request) {
    return error(400, 'ValidationException', 'The body must be {"includeMaterial"?: boolean, "accountId"?: string, "region"?: string}.');
  }
  const seed = await exportSeed(app.deps.store, {
    accountId: request.accountId ?? app.config.accountId,
    region: request.region ?? app.config.defaultRegion,
    materialUnder: request.includeMaterial ? app.deps.root : undefined,
  });
  return ok({ seed });
}

function exportRequestOf(body: Buffer): { includeMaterial?: boolean; accountId?: string; region?: string } | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const { includeMaterial, accountId, region } = parsed;
    if (typeof parsed !== 'object' || parsed === null || Object.keys(parsed).some((k) => !['includeMaterial', 'accountId', 'region'].includes(k))) return undefined;
    if (includeMaterial !== undefined && typeof includeMaterial !== 'boolean') return undefined;
    if (accountId !== undefined && (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId))) return undefined;
    if (region !== undefined && typeof region !== 'string') return undefined;
    return { includeMaterial, accountId, region } as { includeMaterial?: boolean; accountId?: string; region?: string };
  } catch {
    return undefined;
  }
}

/** Read from the store, not this process's copy: another worker may have moved the clock a moment ago. */
async function showClock(app: AppParts): Promise<AdminResponse> {
  await syncDevClock(app);
  return ok(clockState(app));
}

/** Moves the clock forward (never back), for every process, then runs the work now due before answering. */
async function advanceClock(app: AppParts, body: Buffer): Promise<AdminResponse> {
  const seconds = advanceSecondsOf(body);
  if (seconds === undefined) {
    return error(400, 'ValidationException', 'The body must be {"advanceSeconds": N} with N a non-negative number of seconds.');
  }
  if (!(await advanceDevClock(app, seconds))) {
    return error(400, 'ValidationException', 'The clock cannot be moved past the year 9999.');
  }
  return ok(clockState(app));
}

/**
 * Moves the dev clock `seconds` forward for every process, then runs the work now due (the admin endpoint, and
 * an in-process Trent's advanceClock). False, and nothing moved, when that would pass the year 9999.
 */
export async function advanceDevClock(app: Pick<App, 'deps' | 'scheduler'>, seconds: number): Promise<boolean> {
  const { store, clock } = app.deps;
  const offset = await store.transaction(async (tx) => {
    const next = Number((await tx.getSetting(CLOCK_OFFSET_SETTING)) ?? 0) + Math.round(seconds * 1000);
    if (Date.now() + next >= CLOCK_END_MS) return undefined;
    await tx.putSetting(CLOCK_OFFSET_SETTING, String(next));
    return next;
  });
  if (offset === undefined) return false;
  clock.setOffset(offset);
  await app.scheduler.tick();
  return true;
}

async function reset(app: AppParts): Promise<AdminResponse> {
  await resetDevStore(app);
  return ok(clockState(app));
}

/** Wipes every key, alias and tag (wipe keeps what binds the store to its root key) and resets the clock, at once. */
export async function resetDevStore(app: Pick<App, 'deps'>): Promise<void> {
  const { store, clock } = app.deps;
  await store.transaction(async (tx) => {
    await tx.wipe();
    await tx.putSetting(CLOCK_OFFSET_SETTING, '0');
  });
  clock.setOffset(0);
}

function advanceSecondsOf(body: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { advanceSeconds?: unknown };
    const n = parsed.advanceSeconds;
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function clockState(app: AppParts): { now: string; offsetSeconds: number } {
  return { now: app.deps.clock.now().toISOString(), offsetSeconds: app.deps.clock.offsetMs / 1000 };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function ok(value: unknown): AdminResponse {
  return { status: 200, headers: JSON_HEADERS, body: Buffer.from(JSON.stringify(value)) };
}

function error(status: number, type: string, message: string): AdminResponse {
  return { status, headers: JSON_HEADERS, body: Buffer.from(JSON.stringify({ __type: type, message })) };
}
