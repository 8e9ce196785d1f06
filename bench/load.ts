import { Connection, type Reply, type Target } from './lean-client.js';

/** What one scenario at one concurrency measured. */
export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly firstError?: string;
}

/** Builds the next request's bytes (signed now); `check` says whether a reply counts as a success. */
export interface Workload {
  next(): Buffer;
  check?(reply: Reply): boolean;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * Keeps `inFlight` requests outstanding, one per keep-alive connection, for `seconds` (or until
 * `maxRequests`), and reports throughput and latency percentiles.
 */
export async function runLoad(target: Target, workload: Workload, inFlight: number, seconds: number,
  maxRequests = Infinity): Promise<LoadResult> {
  const connections = Array.from({ length: inFlight }, () => new Connection(target.host, target.port));
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  let firstError: string | undefined;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const ok = workload.check ?? ((r: Reply) => r.status === 200);

  await Promise.all(connections.map(async (c) => {
    while (process.hrtime.bigint() < deadline && started < maxRequests) {
      started++;
      const t0 = process.hrtime.bigint();
      try {
        const reply = await c.send(workload.next());
        if (ok(reply)) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        else {
          errors++;
          firstError ??= `${reply.status} ${reply.body.toString().slice(0, 200)}`;
        }
      } catch (e) {
        errors++;
        firstError ??= String(e);
        return;
      }
    }
  }));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  for (const c of connections) c.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    perSecond: latencies.length / elapsed,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    firstError,
  };
}
