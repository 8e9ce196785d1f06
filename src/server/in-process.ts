import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogLevel } from '../util/log.js';
import { advanceDevClock, resetDevStore } from './admin.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { startHttpServer } from './http.js';
import { prepare } from './prepare.js';
import { exportSeed } from '../ops/seed/export-seed.js';

export interface StartTrentOptions {
  /** The account of every caller whose access key ID is not itself a 12-digit account ID (default 111122223333). */
  readonly accountId?: string;
  /** The Region of unsigned requests (signed ones name theirs; default us-east-1). */
  readonly region?: string;
  /** Enforce key policies, identity policies and grants as `trent serve` does (default: off, as in `trent dev`). */
  readonly enforcePolicies?: boolean;
  /** What this Trent writes to stdout (default warn: problems only; info adds a line per request). */
  readonly logLevel?: LogLevel;
  /**
   * Keys and aliases to make at start, as `trent dev --seed` makes them: the path of a seed file (YAML or JSON,
   * Trent's format or local-kms's), or a seed document as an object (README: Seed files). A seed that cannot be
   * loaded rejects startTrent's promise with the reason.
   */
  readonly seed?: string | object;
}

/** A Trent running in this process, on a port and a store of its own. */
export interface InProcessTrent {
  /** http://127.0.0.1:PORT, for an SDK client's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly accountId: string;
  readonly region: string;
  /** The temporary data directory (SQLite store and root key), removed by stop(). */
  readonly dataDir: string;
  /** What an AWS SDK v3 client needs to call this Trent: `new KMSClient(trent.clientConfig)`. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  /** Trent's notion of now: the real time plus however far advanceClock has moved it. */
  now(): Date;
  /** Moves Trent's clock forward, then runs the work now due (deletions, rotations, expiries); resolves to the new now. */
  advanceClock(seconds: number): Promise<Date>;
  /**
   * A seed file (YAML, Trent's format) describing this Trent's keys and aliases in its account and Region; with
   * includeMaterial, their key material too, so that `seed` makes the same keys again.
   */
  exportSeed(options?: { readonly includeMaterial?: boolean }): Promise<string>;
  /** Forgets every key, alias, grant and tag, and puts the clock back to real time: a fresh Trent, on the same port. */
  reset(): Promise<void>;
  /** Lets the requests in progress finish, closes the port and the store, and removes the data directory. */
  stop(): Promise<void>;
}

/**
 * Starts a `trent dev` inside the calling process, for a test suite: the same composition as the server (the
 * data directory prepared, createApp, the HTTP server), but one server on this event loop instead of a worker per
 * core, a temporary data directory, and no RSA material pool (which would spend seconds of CPU filling; RSA keys are
 * generated when created). The environment's TRENT_* settings are not read: a test gets the same Trent everywhere.
 */
export async function startTrent(options: StartTrentOptions = {}): Promise<InProcessTrent> {
  const dataDir = mkdtempSync(join(tmpdir(), 'trent-'));
  try {
    const seed = typeof options.seed === 'object' ? join(dataDir, 'seed.json') : options.seed;
    if (typeof options.seed === 'object') writeFileSync(seed!, JSON.stringify(options.seed), { mode: 0o600 });
    const config = loadConfig('dev', {
      host: '127.0.0.1', port: '0', dataDir, workers: '1', keyPool: '0',
      accountId: options.accountId, defaultRegion: options.region,
      enforcePolicies: options.enforcePolicies ? 'true' : undefined,
      logLevel: options.logLevel ?? 'warn', seed,
    }, {});
    await prepare(config);
    const app = await createApp(config, undefined, createLogger('line', config.logLevel));
    const server = await startHttpServer(app).catch(async (e: unknown) => {
      await app.close();
      throw e;
    });
    app.startBackgroundWork();
    const endpoint = `http://127.0.0.1:${server.port}`;
    let stopped: Promise<void> | undefined;
    return {
      endpoint,
      port: server.port,
      accountId: config.accountId,
      region: config.defaultRegion,
      dataDir,
      clientConfig: { endpoint, region: config.defaultRegion, credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'test' } },
      now: () => app.deps.clock.now(),
      async advanceClock(seconds) {
        if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
          throw new RangeError(`advanceClock takes a non-negative number of seconds, not ${String(seconds)}`);
        }
        if (!(await advanceDevClock(app, seconds))) throw new RangeError('the clock cannot be moved past the year 9999');
        return app.deps.clock.now();
      },
      exportSeed: (o = {}) => exportSeed(app.deps.store, {
        accountId: config.accountId, region: config.defaultRegion, materialUnder: o.includeMaterial ? app.deps.root : undefined,
      }),
      reset: () => resetDevStore(app),
      // Once: a second call (an after hook and a finally both stopping) waits for the first.
      stop: () => (stopped ??= server.stop().then(() => app.close()).finally(() => rmSync(dataDir, { recursive: true, force: true }))),
    };
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
