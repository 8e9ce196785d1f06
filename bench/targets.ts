import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import type { Target } from './lean-client.js';
import type { Credentials } from '../src/util/sigv4.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A server under test: how to reach it, and its process tree for CPU accounting. */
export interface RunningTarget extends Target {
  readonly name: string;
  readonly pid: number;
  /** Trent only: its data directory. */
  readonly dataDir?: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A started target's process, and the file its output goes to. */
interface Launched {
  readonly child: ChildProcess;
  /** Stops emptying the log file and deletes it. */
  readonly dropLog: () => void;
}

/** How often a target's log file is emptied once it is ready: a long run must not fill the disk. */
const LOG_EMPTIED_EVERY_MS = 5_000;

/**
 * Starts a target with its output (stdout and stderr) going to a log file, as a service's does, and resolves once
 * that file says it is ready. A pipe read by this process would make the benchmark pay for the target's log. Trent
 * logs a line per request at info; this process then spent 20–34 µs of CPU per request reading them, on the
 * target's own two cores, and in no column of the table. The writes stay in the target's CPU, as they would in
 * production.
 */
function launch(command: string, args: string[], env: Record<string, string>, ready: RegExp,
  timeoutMs = 30_000): Promise<Launched> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-target-log-'));
  const path = join(dir, 'output.log');
  // Appending: the file can be emptied under the writer, whose next line then starts it again.
  const fd = openSync(path, 'a');
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  const output = () => readFileSync(path, 'utf8');
  const dropDir = () => rmSync(dir, { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const stopWatching = () => {
      clearInterval(poll);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const giveUp = (message: string) => {
      stopWatching();
      dropDir();
      reject(new Error(message));
    };
    const onExit = (code: number | null) => giveUp(`${command} exited (${code}):\n${output()}`);
    // Not started at all (no such command): no 'exit' follows.
    const onError = (error: Error) => giveUp(`${command} could not be started: ${error.message}`);
    const poll = setInterval(() => {
      const out = output();
      if (ready.test(out)) {
        stopWatching();
        const emptying = setInterval(() => truncateSync(path, 0), LOG_EMPTIED_EVERY_MS);
        emptying.unref();
        resolve({ child, dropLog: () => { clearInterval(emptying); dropDir(); } });
      } else if (Date.now() > deadline) {
        try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone already */ }
        giveUp(`${command} did not start:\n${out}`);
      }
    }, 50);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function stopper({ child, dropLog }: Launched, cleanup?: () => void): () => Promise<void> {
  return () => new Promise((resolve) => {
    let stopped = false;
    const done = () => {
      if (stopped) return;
      stopped = true;
      dropLog();
      cleanup?.();
      resolve();
    };
    child.removeAllListeners('exit');
    // A target that died during the run has nothing left to stop.
    if (child.exitCode !== null || child.signalCode !== null) {
      done();
      return;
    }
    child.once('exit', done);
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { done(); }
  });
}

const REGION = 'us-east-1';
const ANY_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

/** The RSA pool the benchmark's Trent keeps: the CreateKey RSA_4096 cells take at most 40 each. */
export const BENCH_POOL = 'RSA_2048=16,RSA_4096=40';

/** An identity policy allowing every KMS action: what production callers of Trent are given by their IAM admin. */
const KMS_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });

function accessKey(dataDir: string, ...args: string[]): Credentials {
  const created = execFileSync(process.execPath, [join(REPO, 'bin', 'trent.js'), 'access-key', 'create', ...args, '--data-dir', dataDir],
    { encoding: 'utf8' });
  return {
    accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(created)![1]!,
    secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(created)![1]!,
  };
}

/**
 * Trent in the serve posture (SigV4 verified, audit on), on a fresh data directory unless one is given. It is
 * driven as production drives it: by an IAM user whose identity policy allows kms:*, so every call weighs the
 * key policy (which delegates to IAM) and the user's policy.
 */
export async function startTrent(existingDataDir?: string): Promise<RunningTarget> {
  const port = await freePort();
  const dataDir = existingDataDir ?? mkdtempSync(join(tmpdir(), 'trent-bench-'));
  const root = accessKey(dataDir);
  const bench = accessKey(dataDir, '--user', 'bench');
  const launched = await launch(process.execPath, [join(REPO, 'bin', 'trent.js'), 'serve', '--port', String(port), '--data-dir', dataDir],
    { TRENT_KEY_POOL: process.env.TRENT_KEY_POOL ?? BENCH_POOL }, /listening on/);
  // A data directory kept between runs (bench/scale.ts) keeps no benchmark keys: IAM allows a user two.
  const stop = stopper(launched, existingDataDir
    ? () => { for (const k of [root, bench]) execFileSync(process.execPath, [join(REPO, 'bin', 'trent.js'), 'access-key', 'delete', k.accessKeyId, '--data-dir', dataDir]); }
    : () => rmSync(dataDir, { recursive: true, force: true }));
  const iam = new IAMClient({ endpoint: `http://127.0.0.1:${port}`, region: REGION, credentials: root, maxAttempts: 1 });
  try {
    await iam.send(new PutUserPolicyCommand({ UserName: 'bench', PolicyName: 'kms', PolicyDocument: KMS_ALL }));
  } catch (e) {
    await stop(); // a Trent the benchmark cannot call is stopped, not left running
    throw e;
  } finally {
    iam.destroy();
  }
  return { name: 'trent', host: '127.0.0.1', port, region: REGION, pid: launched.child.pid!, dataDir, credentials: bench, stop };
}

export async function startMoto(): Promise<RunningTarget> {
  const port = await freePort();
  const launched = await launch('moto_server', ['-p', String(port), '-H', '127.0.0.1'], {}, /Running on/);
  return { name: 'moto', host: '127.0.0.1', port, region: REGION, pid: launched.child.pid!, credentials: ANY_CREDENTIALS, stop: stopper(launched) };
}

/** local-kms (github.com/nsmithuk/local-kms) from a binary the user supplies; it reads PORT from the environment. */
export async function startLocalKms(binary: string): Promise<RunningTarget> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'local-kms-'));
  const launched = await launch(binary, [], { PORT: String(port), KMS_DATA_PATH: dataDir, KMS_REGION: REGION,
    KMS_ACCOUNT_ID: '111122223333' }, /Local KMS started|starting on/i);
  return {
    name: 'local-kms', host: '127.0.0.1', port, region: REGION, pid: launched.child.pid!, credentials: ANY_CREDENTIALS,
    stop: stopper(launched, () => rmSync(dataDir, { recursive: true, force: true })),
  };
}

/** The bare Node server answering a fixed response: the ceiling for any Node server on this machine. */
export async function startCeiling(): Promise<RunningTarget> {
  const port = await freePort();
  const launched = await launch(process.execPath, [join(REPO, 'dist', 'bench', 'ceiling-server.js'), String(port)], {},
    /listening on/);
  return { name: 'node-ceiling', host: '127.0.0.1', port, region: REGION, pid: launched.child.pid!, credentials: ANY_CREDENTIALS, stop: stopper(launched) };
}

/**
 * The bare server doing the least work an audited Encrypt needs (floor-server.ts): what Trent would cost if its
 * pipeline were only that work. Its trail goes to a file in a directory of its own, removed when it stops.
 */
export async function startFloor(): Promise<RunningTarget> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'floor-trail-'));
  const launched = await launch(process.execPath, [join(REPO, 'dist', 'bench', 'floor-server.js'), String(port), join(dir, 'trail')],
    { AWS_ACCESS_KEY_ID: ANY_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: ANY_CREDENTIALS.secretAccessKey }, /listening on/);
  return {
    name: 'node-floor', host: '127.0.0.1', port, region: REGION, pid: launched.child.pid!, credentials: ANY_CREDENTIALS,
    stop: stopper(launched, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/** CPU seconds used so far by a process and all its descendants (Linux /proc). */
export function cpuSeconds(rootPid: number): number {
  const ticks = 100; // USER_HZ on Linux
  const children = new Map<number, number[]>();
  const times = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      times.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / ticks);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch { /* the process ended meanwhile */ }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    total += times.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}
