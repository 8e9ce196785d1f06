import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KMSClient } from '@aws-sdk/client-kms';

/** The repository root (this file runs from dist/test/support/). */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const SHARED = join(REPO, '..', 'shared');

export interface RunningTrent {
  readonly endpoint: string;
  readonly dataDir: string;
  readonly output: () => string;
  /** A client for the given (or default dev) credentials and Region. */
  client(options?: { region?: string; accessKeyId?: string; secretAccessKey?: string }): KMSClient;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export interface StartOptions {
  readonly posture?: 'dev' | 'serve';
  readonly dataDir?: string;
  readonly env?: Record<string, string>;
  readonly args?: string[];
}

/** Starts the real `trent` executable on a free port and waits until it listens. */
export async function startTrent(options: StartOptions = {}): Promise<RunningTrent> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'trent-test-'));
  const child: ChildProcess = spawn(process.execPath,
    [join(REPO, 'bin', 'trent.js'), options.posture ?? 'dev', '--port', '0', '--data-dir', dataDir, ...(options.args ?? [])],
    // Its own process group, so that a SIGKILL takes the primary and its workers down at once, as a crash would.
    { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trent did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`trent exited (${code}):\n${out}`)); });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    dataDir,
    output: () => out,
    client: (o = {}) => new KMSClient({
      endpoint,
      region: o.region ?? 'us-west-2',
      credentials: { accessKeyId: o.accessKeyId ?? 'AKIDEXAMPLE', secretAccessKey: o.secretAccessKey ?? 'test-secret' },
      maxAttempts: 1,
    }),
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, signal);
    }),
  };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
