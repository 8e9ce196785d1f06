/**
 * Trent with many keys: DescribeKey latency over random keys, ListKeys pages from the first to the last,
 * and the server's memory. The data directory is filled beforehand by generate-keys.js.
 *
 *   node dist/bench/generate-keys.js --data-dir /tmp/trent-1m --count 1000000
 *   node dist/bench/scale.js --data-dir /tmp/trent-1m [--seconds 10]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { call, Connection } from './lean-client.js';
import { runLoad } from './load.js';
import { startTrent } from './targets.js';

/** Resident memory of a process and all its descendants, in MB (Linux /proc). */
function treeRssMb(rootPid: number): number {
  const parentOf = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      parentOf.set(Number(entry), Number(/PPid:\s+(\d+)/.exec(status)?.[1]));
      rss.set(Number(entry), Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch { /* gone */ }
  }
  let total = 0;
  for (const [pid, mb] of rss) {
    for (let p: number | undefined = pid; p; p = parentOf.get(p)) {
      if (p === rootPid) { total += mb; break; }
    }
  }
  return total;
}

/** The keys in a random order (Fisher–Yates). */
function shuffled(ids: readonly string[]): string[] {
  const out = [...ids];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, seconds: { type: 'string', default: '10' } } });
// No RSA pool refill here: it would spend a core generating keys while DescribeKey is being measured.
process.env.TRENT_KEY_POOL ??= '0';
const target = await startTrent(values['data-dir']);
try {
  const c = new Connection(target.host, target.port);
  const ids: string[] = [];
  const pageMs: number[] = [];
  let marker: string | undefined;
  do {
    const t0 = performance.now();
    const page = await call(target, 'ListKeys', { Limit: 1000, ...(marker ? { Marker: marker } : {}) }, c);
    pageMs.push(performance.now() - t0);
    for (const k of page.Keys as Array<{ KeyId: string }>) ids.push(k.KeyId);
    marker = page.NextMarker as string | undefined;
  } while (marker);
  c.close();
  const sortedPages = [...pageMs].sort((a, b) => a - b);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`ListKeys: ${ids.length} keys in ${pageMs.length} pages of 1000; first page ${pageMs[0]!.toFixed(1)} ms, ` +
    `first 10 avg ${avg(pageMs.slice(0, 10)).toFixed(1)} ms, last 10 avg ${avg(pageMs.slice(-10)).toFixed(1)} ms, ` +
    `p99 ${sortedPages[Math.floor(sortedPages.length * 0.99)]!.toFixed(1)} ms`);
  console.log(`server RSS after listing: ${treeRssMb(target.pid).toFixed(0)} MB (all processes)`);

  for (const inFlight of [1, 16]) {
    // The keys in an order drawn anew for each run, so that the second does not start over the keys the first just read.
    const bodies = shuffled(ids).map((KeyId) => JSON.stringify({ KeyId }));
    const result = await runLoad(target, { operation: 'DescribeKey', bodies }, inFlight, Number(values.seconds));
    console.log(`DescribeKey over random keys @${inFlight}: ${result.perSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
      `p99 ${result.p99Ms.toFixed(2)} ms, ${result.errors} errors`);
  }
  console.log(`server RSS after load: ${treeRssMb(target.pid).toFixed(0)} MB (all processes)`);
} finally {
  await target.stop();
}
