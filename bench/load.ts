import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Target } from './lean-client.js';
import { loadgenBinary } from './loadgen-binary.js';

/** What one scenario at one concurrency measured. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly firstError?: string;
  /** CPU (user + system) the load generator itself used, to show that it is not what was measured. */
  readonly generatorCpuSeconds: number;
}

/** One KMS operation and the JSON bodies it is sent with, in turn (several bodies spread the load over keys). */
export interface Workload {
  readonly operation: string;
  readonly bodies: readonly string[];
}

/** The generator's line of JSON on stdout (bench/loadgen.c): percentiles are null when nothing succeeded. */
interface LoadgenOutput {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  firstError: string | null;
  cpuSeconds: number;
}

const execFileAsync = promisify(execFile);

/**
 * Keeps `inFlight` requests outstanding, one per keep-alive connection, for `seconds` (or until
 * `maxRequests`), and reports throughput and latency percentiles. The load comes from bench/loadgen.c, a
 * separate process that signs every request afresh at a few µs of CPU each; this process only waits.
 */
export async function runLoad(target: Target, workload: Workload, inFlight: number, seconds: number,
  maxRequests?: number): Promise<LoadResult> {
  if (workload.bodies.length === 0 || workload.bodies.some((b) => b.includes('\n'))) {
    throw new Error(`${workload.operation}: the generator takes one or more bodies, each on one line`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'trent-load-'));
  try {
    const bodies = join(dir, 'bodies.jsonl');
    writeFileSync(bodies, workload.bodies.join('\n') + '\n');
    const args = ['--host', target.host, '--port', String(target.port), '--region', target.region,
      '--operation', workload.operation, '--bodies', bodies, '--in-flight', String(inFlight), '--seconds', String(seconds)];
    if (maxRequests !== undefined) args.push('--max-requests', String(maxRequests));
    // The credentials go through the environment, as for AWS's own tools: not in the process list.
    const { stdout } = await execFileAsync(loadgenBinary(), args, {
      env: { ...process.env, AWS_ACCESS_KEY_ID: target.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: target.credentials.secretAccessKey },
    });
    const r = JSON.parse(stdout) as LoadgenOutput;
    return {
      requests: r.requests,
      errors: r.errors,
      seconds: r.seconds,
      perSecond: r.perSecond,
      p50Ms: r.p50Ms ?? NaN,
      p99Ms: r.p99Ms ?? NaN,
      firstError: r.firstError ?? undefined,
      generatorCpuSeconds: r.cpuSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
