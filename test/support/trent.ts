import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KMSClient } from '@aws-sdk/client-kms';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** The repository root (this file runs from dist/test/support/). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');

export interface RunningTrent {
  readonly endpoint: string;
  readonly dataDir: string;
  /** The primary process, which leads the process group its workers are in. */
  readonly pid: number;
  /** The options that point a CLI command (`trent access-key`, `backup`, …) at the same store. */
  readonly storeArgs: readonly string[];
  readonly output: () => string;
  /** A client for the given (or default dev) credentials and Region. */
  client(options?: ClientOptions): KMSClient;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface ClientOptions {
  readonly region?: string;
  readonly accessKeyId?: string;
  readonly secretAccessKey?: string;
}

/** A client of the server at `endpoint` (asked at each call when a function) with the given or default dev credentials and Region. */
function clientOf(endpoint: string | (() => string), o: ClientOptions = {}): KMSClient {
  return new KMSClient({
    endpoint: typeof endpoint === 'string' ? endpoint : async () => ({ url: new URL(endpoint()) }),
    region: o.region ?? 'us-west-2',
    credentials: { accessKeyId: o.accessKeyId ?? 'AKIDEXAMPLE', secretAccessKey: o.secretAccessKey ?? 'test-secret' },
    maxAttempts: 1,
  });
}

export interface StartOptions {
  readonly posture?: 'dev' | 'serve';
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  readonly args?: string[];
  /** A postgres:// URL to share with other servers (multi-node tests); see `databaseFor` otherwise. */
  readonly database?: string;
}

/**
 * With TRENT_TEST_DATABASE_URL set, every data directory gets a fresh PostgreSQL database of its own, so the
 * end-to-end suites run unchanged on PostgreSQL without seeing each other. A restart on the same data
 * directory finds the same database; removeDir drops it with the directory, and any left are dropped when
 * the test process ends.
 */
const databases = new Map<string, TestDatabase>();
let dropAtExit = false;

async function databaseFor(dataDir: string): Promise<TestDatabase | undefined> {
  if (!process.env.TRENT_TEST_DATABASE_URL) return undefined;
  let db = databases.get(dataDir);
  if (!db) {
    db = await createTestDatabase();
    databases.set(dataDir, db);
  }
  if (!dropAtExit) {
    dropAtExit = true;
    process.once('beforeExit', () => void Promise.all([...databases.values()].map((d) => d.drop())));
  }
  return db;
}

/** The options that point `trent` at a data directory's store (its own PostgreSQL database, under TRENT_TEST_DATABASE_URL). */
export async function storeArgsFor(dataDir: string): Promise<string[]> {
  const db = await databaseFor(dataDir);
  return ['--data-dir', dataDir, ...(db ? ['--database', db.url] : [])];
}

/** Starts the real `trent` executable on a free port and waits until it listens. */
export async function startTrent(options: StartOptions = {}): Promise<RunningTrent> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'trent-test-'));
  const storeArgs = options.database ? ['--data-dir', dataDir, '--database', options.database] : await storeArgsFor(dataDir);
  const child: ChildProcess = spawn(process.execPath,
    [join(REPO, 'bin', 'trent.js'), options.posture ?? 'dev', '--port', '0', ...storeArgs, ...(options.args ?? [])],
    // Its own process group, so that a SIGKILL takes the primary and its workers down at once, as a crash would.
    // No RSA pool refill in tests (fresh data directories would each spend ~20 CPU-seconds filling one), unless asked.
    { env: { ...process.env, TRENT_KEY_POOL: '0', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trent did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening on https?:\/\/[^:]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`trent exited (${code}):\n${out}`)); });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dataDir,
    pid: child.pid!,
    storeArgs,
    output: () => out,
    client: (o) => clientOf(endpoint, o),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          process.kill(-child.pid!, signal);
        });
      }
    },
  };
}

/** Removes a data directory and, with it, its PostgreSQL database (the pending drop keeps the process alive until done). */
export function removeDir(dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  const db = databases.get(dir);
  databases.delete(dir);
  return db ? db.drop() : Promise.resolve();
}

/** The server of a suite: `useTrent()` returns it; calling it gives the running server. */
export interface SuiteTrent {
  (): RunningTrent;
  /** Stops the server and starts it again on the same data directory, with the same options. */
  restart(): Promise<RunningTrent>;
  /** A client to make when the describe is declared: it asks for the running server's endpoint at each call. */
  client(options?: ClientOptions): KMSClient;
}

/**
 * Starts a server before the tests of the current describe and, after them, stops it and removes its data
 * directory. Hooks run in the order they are registered, so a `before` after this call sees the server. Call it
 * inside a describe: Node 20 runs a file's top-level hooks without waiting for them.
 */
export function useTrent(options: StartOptions = {}): SuiteTrent {
  let trent: RunningTrent | undefined;
  before(async () => { trent = await startTrent(options); });
  after(async () => {
    if (!trent) return;
    await trent.stop();
    await removeDir(trent.dataDir);
  });
  const current = (): RunningTrent => {
    if (!trent) throw new Error('the server is not running: useTrent starts it in a before hook');
    return trent;
  };
  return Object.assign(current, {
    client: (o?: ClientOptions) => clientOf(() => current().endpoint, o),
    restart: async () => {
      const { dataDir } = current();
      await current().stop();
      trent = await startTrent({ ...options, dataDir });
      return trent;
    },
  });
}

/** The administrator access key that `trent serve` prints on its first start. */
export function credentialsFrom(output: string): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(output)?.[1];
  const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`no credentials in:\n${output}`);
  return { accessKeyId, secretAccessKey };
}
