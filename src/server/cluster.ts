import cluster, { type Worker } from 'node:cluster';
import { createLogger, log, setLog } from '../util/log.js';
import type { App } from './app.js';
import { logFormatOf, type Config } from './config.js';
import type { HttpServer } from './http.js';
import { answerMetricsRequests } from './metrics-gather.js';
import { checkTransport } from './tls.js';
import { PrimaryRelay, workerRelay } from './worker-relay.js';

/**
 * Trent on every core: the primary process has the data directory prepared once (root key, schema, the first
 * administrator key), then forks `config.workers` workers that share the listening socket. Workers hold no
 * state another worker could need: everything durable is in the store, and the caches they keep are either
 * immutable (unwrapped material), or told of every change before it is answered (key records, through the
 * primary: worker-relay.ts), or expire within a stated bound. Background work runs in worker 0, and is
 * exactly-once by transaction anyway. A worker that dies is replaced; when the primary dies, its workers exit.
 * A worker that keeps dying at start (the port taken, the database unreachable) is retried with a growing
 * delay, and after MAX_QUICK_FAILURES in a row the primary gives up and exits with an error.
 */
export async function runServer(config: Config): Promise<void> {
  setLog(createLogger(logFormatOf(config), config.logLevel));
  if (cluster.isPrimary) await runPrimary(config);
  else if (process.env.TRENT_PREPARE) await runPreparation(config);
  else await runWorker(config, Number(process.env.TRENT_WORKER_INDEX ?? 0));
}

/** A worker that exits before listening, or within this long of its start, failed at start. */
const QUICK_EXIT_MS = 10_000;
const MAX_QUICK_FAILURES = 5;
/** The delay before replacing a worker after its n-th quick failure in a row: 250 ms, doubling, at most 8 s. */
const backoffMs = (failures: number): number => Math.min(250 * 2 ** (failures - 1), 8_000);

async function runPrimary(config: Config): Promise<void> {
  checkTransport(config);
  // A renewed certificate: every worker reads the TLS files again. Handled from the start: a SIGHUP left
  // unhandled would end the primary.
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) if (w && !w.isDead()) w.process.kill('SIGHUP');
  });
  await prepareInWorker();
  const ports = new Map<number, number>();
  /** Per worker index, its quick failures in a row. */
  const failures = new Map<number, number>();
  let stopping = false;
  let announced = false;
  const relay = new PrimaryRelay();
  answerMetricsRequests();
  // A worker's garbage is short-lived (one request's objects): a young generation of 8 MB semi-spaces (V8's
  // default is 16) collects it as cheaply and keeps ~25 MB less resident per worker (BENCHMARKS.md).
  if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
    cluster.setupPrimary({ execArgv: [...process.execArgv, '--max-semi-space-size=8'] });
  }

  const fork = (index: number): Worker => {
    const worker = cluster.fork({ TRENT_WORKER_INDEX: String(index) });
    relay.add(worker);
    const started = Date.now();
    let listening = false;
    worker.on('message', (m: { listening?: number }) => {
      if (m.listening === undefined) return;
      listening = true;
      ports.set(index, m.listening);
      if (!announced && ports.size === config.workers) {
        announced = true;
        log.info(`Trent (${config.posture}) listening on ${config.tls ? 'https' : 'http'}://${config.host}:${m.listening}, ` +
          `data in ${config.dataDir}, ${config.workers} worker${config.workers === 1 ? '' : 's'}`);
      }
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      const quick = !listening || Date.now() - started < QUICK_EXIT_MS;
      const failed = quick ? (failures.get(index) ?? 0) + 1 : 0;
      failures.set(index, failed);
      if (failed >= MAX_QUICK_FAILURES) {
        log.error(`worker ${index} exited (${signal ?? code}) at start ${failed} times in a row; giving up`);
        stop('SIGTERM', 1);
        return;
      }
      const delay = failed ? backoffMs(failed) : 0;
      log.warn(`worker ${index} exited (${signal ?? code}); starting another${delay ? ` in ${delay} ms` : ''}`);
      setTimeout(() => { if (!stopping) fork(index); }, delay);
    });
    return worker;
  };
  const stop = (signal: NodeJS.Signals, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    // A worker that just exited may still be listed: it will not exit again.
    const running = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
    let left = running.length;
    if (left === 0) process.exit(exitCode);
    for (const w of running) {
      w?.once('exit', () => { if (--left <= 0) process.exit(exitCode); });
      w?.process.kill(signal);
    }
    setTimeout(() => process.exit(exitCode), 10_000).unref();
  };
  for (let i = 0; i < config.workers; i++) fork(i);
  // Handled every time, not once: a second SIGTERM (a service manager signalling the whole group, an impatient
  // operator) must not kill the primary by default, which would cut its draining workers off (see runWorker).
  process.on('SIGINT', () => stop('SIGTERM'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The data directory is prepared (prepare.ts) by a worker of its own that exits when done: the primary only
 * forks and relays, so it never loads the store (or the operations), which keeps it at a bare Node's memory.
 */
function prepareInWorker(): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const worker = cluster.fork({ TRENT_PREPARE: '1' });
    worker.on('message', (m: { prepareFailed?: string }) => { failure = m.prepareFailed ?? failure; });
    worker.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(failure ?? `preparing the data directory failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** A failure (a damaged store, a wrong root key) goes to the primary, which ends with it as one line. */
async function runPreparation(config: Config): Promise<void> {
  process.on('SIGHUP', () => undefined); // relayed by the primary for the serving workers' TLS files: not this one's business
  try {
    const { prepare } = await import('./prepare.js');
    await prepare(config);
    process.exit(0);
  } catch (e) {
    const prepareFailed = e instanceof Error ? e.message : String(e);
    if (process.send) process.send({ prepareFailed }, undefined, {}, () => process.exit(1));
    else process.exit(1);
  }
}

async function runWorker(config: Config, index: number): Promise<void> {
  const relay = workerRelay();
  // Loaded here, not at the top: the primary never serves a request, so it never loads the operations.
  const { createApp } = await import('./app.js');
  const { startHttpServer } = await import('./http.js');
  let app: App;
  let server: HttpServer;
  try {
    app = await createApp(config, relay);
    server = await startHttpServer(app);
  } catch (e) {
    // One line (the port taken, the database unreachable): the primary retries, then gives up.
    log.error(`trent: worker ${index} could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  if (index === 0) app.startBackgroundWork();
  process.send?.({ listening: server.port });

  // Finish the requests in progress, then close the store (flushing what is kept in memory); give up after a
  // few seconds. Idempotent: a signal sent to the whole process group reaches a worker twice (directly and
  // relayed by the primary), and the second must not cut the first short.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.stop().then(() => app.close()).then(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => {
    try {
      server.reloadTls();
    } catch (e) {
      log.warn(`worker ${index}: kept the TLS certificate in use: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  // The primary is gone (killed, crashed): nothing would replace or stop this worker, so it stops itself. A worker
  // already stopping finishes doing so: its audit events and the keys' last uses are still to be written.
  process.once('disconnect', () => { if (!stopping) process.exit(1); });
}
