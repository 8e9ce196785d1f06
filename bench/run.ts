/**
 * The benchmark: the same SigV4-signed workloads against Trent (serve posture: signatures verified, audit on),
 * moto_server, local-kms (when --local-kms BINARY is given), a bare Node server answering a fixed response
 * (the ceiling for any Node server here) and that server doing only the least work an audited Encrypt needs
 * (floor-server.ts: the floor under any Node KMS), in one run, printing req/s, p50/p99, server CPU, the load generator's
 * CPU (bench/loadgen.c, compiled on first use) and the ratios. The targets run side by side: each cell is
 * measured on one target after the other, so a ratio compares figures taken seconds apart; with --rounds N each
 * cell is measured N times, round-robin, and the round with the median throughput is reported.
 *
 *   npm run bench -- [--seconds 5] [--concurrency 1,16,64] [--scenarios encrypt,decrypt,...] [--targets trent,moto]
 *                    [--local-kms /path/to/local-kms] [--rounds 1]
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { call, createKey, type Target } from './lean-client.js';
import { runLoad, type LoadResult, type Workload } from './load.js';
import { scrapeWhileLoaded, type ScrapeTally } from './scrape.js';
import { parsePoolSizes } from '../src/ops/pool-sizes.js';
import {
  BENCH_POOL, cpuSeconds, startCeiling, startFloor, startLocalKms, startMoto, startTrent, type RunningTarget,
} from './targets.js';

interface Scenario {
  readonly name: string;
  /** Prepares keys on the target and returns the workload, or a reason it cannot run there. */
  setup(t: Target): Promise<Workload>;
  /** A cap on requests per run, for operations that take seconds each. */
  readonly maxRequests?: number;
  /** Whether the ceiling server takes part (it answers one fixed response, so only for the data plane). */
  readonly ceiling?: boolean;
  /** Trent keeps RSA secrets generated ahead: a cell starts once its pool holds what the cell will take. */
  readonly pooledSpec?: string;
}

/** Waits (up to two minutes) until Trent's material pool holds `count` secrets of `spec`. */
async function awaitPool(dataDir: string, spec: string, count: number): Promise<number> {
  const db = new Database(join(dataDir, 'trent.db'), { readonly: true, fileMustExist: true });
  try {
    const query = db.prepare('SELECT count(*) AS n FROM material_pool WHERE key_spec = ?');
    const deadline = Date.now() + 120_000;
    for (;;) {
      const n = (query.get(spec) as { n: number }).n;
      if (n >= count || Date.now() > deadline) return n;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    db.close();
  }
}

const PLAINTEXT = Buffer.alloc(100, 'p').toString('base64');
const DIGEST = Buffer.alloc(32, 'd').toString('base64');
const fixed = (operation: string, payload: unknown): Workload => ({ operation, bodies: [JSON.stringify(payload)] });

/** What `target` is sent in scenario `s`, or undefined when it takes no part in it. */
async function workloadOn(target: RunningTarget, s: Scenario): Promise<Workload | undefined> {
  // The bare server answers one fixed response whatever it is asked; the floor server only encrypts.
  if (target.name === 'node-ceiling') return s.ceiling ? fixed('Encrypt', {}) : undefined;
  if (target.name === 'node-floor') return s.name === 'Encrypt' ? fixed('Encrypt', { KeyId: 'any', Plaintext: PLAINTEXT }) : undefined;
  return s.setup(target);
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'Encrypt', ceiling: true, setup: async (t) => fixed('Encrypt', { KeyId: await createKey(t), Plaintext: PLAINTEXT }) },
  {
    name: 'Decrypt', ceiling: true,
    setup: async (t) => {
      const KeyId = await createKey(t);
      const { CiphertextBlob } = await call(t, 'Encrypt', { KeyId, Plaintext: PLAINTEXT });
      return fixed('Decrypt', { CiphertextBlob });
    },
  },
  { name: 'GenerateDataKey', ceiling: true, setup: async (t) => fixed('GenerateDataKey', { KeyId: await createKey(t), KeySpec: 'AES_256' }) },
  { name: 'DescribeKey', ceiling: true, setup: async (t) => fixed('DescribeKey', { KeyId: await createKey(t) }) },
  {
    name: 'Sign ECC_NIST_P256 DIGEST', ceiling: true,
    setup: async (t) => fixed('Sign', {
      KeyId: await createKey(t, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      Message: DIGEST, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256',
    }),
  },
  {
    name: 'Sign RSA_2048 PSS', ceiling: true,
    setup: async (t) => fixed('Sign', {
      KeyId: await createKey(t, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }),
      Message: DIGEST, MessageType: 'DIGEST', SigningAlgorithm: 'RSASSA_PSS_SHA_256',
    }),
  },
  { name: 'CreateKey SYMMETRIC_DEFAULT', setup: async () => fixed('CreateKey', {}) },
  { name: 'CreateKey RSA_4096', maxRequests: 40, pooledSpec: 'RSA_4096', setup: async () => fixed('CreateKey', { KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }) },
];

/** Each scenario runs unrecorded this long first, on enough connections to reach every worker. */
const WARMUP_SECONDS = 2;
const WARMUP_IN_FLIGHT = 16;

interface Row {
  readonly scenario: string;
  readonly target: string;
  readonly inFlight: number;
  readonly result: LoadResult | undefined;
  readonly cpuCores: number;
  readonly note?: string;
}

/** What Node's crypto alone signs per second with ECDSA P-256, on every core of the machine. */
async function nodeSignCeiling(seconds: number): Promise<number> {
  const code = `
    const { generateKeyPairSync, sign } = require('node:crypto');
    const { parentPort, workerData } = require('node:worker_threads');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.alloc(100, 1); let n = 0; const end = Date.now() + workerData * 1000;
    while (Date.now() < end) { for (let i = 0; i < 100; i++) sign('sha256', data, privateKey); n += 100; }
    parentPort.postMessage(n / workerData);`;
  const rates = await Promise.all(Array.from({ length: availableParallelism() }, () => new Promise<number>((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: seconds });
    w.once('message', resolve);
    w.once('error', reject);
  })));
  return rates.reduce((a, b) => a + b, 0);
}

function fmt(n: number | undefined, digits = 0): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** One cell: `inFlight` requests kept going on `target` for `seconds`, with the server's CPU over that time. */
async function measureCell(target: RunningTarget, s: Scenario, workload: Workload, inFlight: number, seconds: number): Promise<Row> {
  if (s.pooledSpec && target.dataDir) {
    const ready = await awaitPool(target.dataDir, s.pooledSpec, s.maxRequests ?? 0);
    console.error(`trent: ${ready} ${s.pooledSpec} secrets pooled before the cell`);
  }
  const cpu0 = cpuSeconds(target.pid);
  const result = await runLoad(target, workload, inFlight, seconds, s.maxRequests);
  const cpuCores = (cpuSeconds(target.pid) - cpu0) / result.seconds;
  const generatorUs = (1e6 * result.generatorCpuSeconds) / Math.max(1, result.requests + result.errors);
  console.error(`${target.name} ${s.name} @${inFlight}: ${fmt(result.perSecond)} req/s p50 ${fmt(result.p50Ms, 2)} ms p99 ${fmt(result.p99Ms, 2)} ms, ` +
    `${result.errors} errors, generator ${fmt(generatorUs, 1)} µs CPU per request`);
  return { scenario: s.name, target: target.name, inFlight, result, cpuCores, note: result.firstError?.slice(0, 120) };
}

/** The round with the median throughput (the lower middle one of an even count), whole: its latency and CPU with it. */
function medianCell(cells: readonly Row[]): Row {
  const sorted = [...cells].sort((a, b) => (a.result?.perSecond ?? 0) - (b.result?.perSecond ?? 0));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '1,16,64' },
      scenarios: { type: 'string' },
      targets: { type: 'string', default: 'trent,moto,node-ceiling,node-floor' },
      'local-kms': { type: 'string' },
      rounds: { type: 'string', default: '1' },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  const levels = values.concurrency!.split(',').map(Number);
  const wanted = values.scenarios?.toLowerCase().split(',');
  const scenarios = SCENARIOS.filter((s) => !wanted || wanted.some((w) => s.name.toLowerCase().startsWith(w)));
  const targetNames = values.targets!.split(',');
  if (values['local-kms']) targetNames.push('local-kms');

  const starters: Record<string, () => Promise<RunningTarget>> = {
    trent: startTrent, moto: startMoto, 'node-ceiling': startCeiling, 'node-floor': startFloor,
    'local-kms': () => startLocalKms(values['local-kms']!),
  };
  const rows: Row[] = [];
  console.log(`# Trent benchmark, ${new Date().toISOString()}, ${availableParallelism()} cores, ${seconds} s per cell` +
    `${rounds > 1 ? `, the median of ${rounds} rounds` : ''}\n`);
  const signCeiling = await nodeSignCeiling(Math.min(seconds, 3));
  console.log(`Node crypto alone, ECDSA P-256 sign on all cores: ${fmt(signCeiling)} signatures/s\n`);

  // Every target runs from the start, and each cell is measured on one target after another: this machine's speed
  // drifts by a fifth within minutes, which would skew the ratios of targets measured minutes apart.
  const targets: RunningTarget[] = [];
  let scraped: string | undefined;
  let stopScraping: (() => Promise<ScrapeTally>) | undefined;
  try {
    for (const name of targetNames) targets.push(await starters[name]!());
    for (const target of targets) {
      if (!target.dataDir) continue;
      // Measure the steady state, not the first minute in which a fresh Trent fills its RSA pool on one core.
      for (const [spec, size] of Object.entries(parsePoolSizes(process.env.TRENT_KEY_POOL ?? BENCH_POOL))) {
        console.error(`trent: ${await awaitPool(target.dataDir, spec, size)} ${spec} secrets pooled before measuring`);
      }
      // Trent is watched as in production throughout: its health and metrics scraped every second.
      stopScraping = scrapeWhileLoaded(target);
    }
    for (const s of scenarios) {
      const workloads = new Map<RunningTarget, Workload>();
      for (const target of targets) {
        try {
          const workload = await workloadOn(target, s);
          if (workload) workloads.set(target, workload);
        } catch (e) {
          for (const n of levels) rows.push({ scenario: s.name, target: target.name, inFlight: n, result: undefined, cpuCores: 0, note: String(e).slice(0, 120) });
        }
      }
      if (!s.maxRequests) {
        // Unrecorded: every worker of each target has run this operation's code before the cells measure it (a
        // cell at 1 in flight keeps one connection, so it warms one worker only).
        for (const [target, workload] of workloads) await runLoad(target, workload, WARMUP_IN_FLIGHT, Math.min(WARMUP_SECONDS, seconds));
      }
      for (const n of levels) {
        const measured = new Map<RunningTarget, Row[]>([...workloads.keys()].map((t) => [t, []]));
        for (let round = 0; round < rounds; round++) {
          // Each round starts with the next target, so none is always measured first.
          const order = [...workloads.keys()];
          order.push(...order.splice(0, round % order.length));
          for (const target of order) measured.get(target)!.push(await measureCell(target, s, workloads.get(target)!, n, seconds));
        }
        for (const cells of measured.values()) rows.push(medianCell(cells));
      }
    }
  } finally {
    if (stopScraping) {
      const t = await stopScraping();
      scraped = `/-/health and /-/metrics scraped ${t.scrapes} times during the run: ${t.failures} failures, slowest ${fmt(t.slowestMs, 1)} ms.`;
    }
    await Promise.all(targets.map((t) => t.stop()));
  }

  const cpuPerRequest = (r: Row | undefined) => (r?.result?.perSecond ? (1e6 * r.cpuCores) / r.result.perSecond : undefined);
  console.log('| scenario | in flight | target | req/s | p50 ms | p99 ms | server CPU (cores) | server CPU µs/req | generator CPU (cores) | errors | trent ÷ this: req/s, CPU/req |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const trent = rows.find((x) => x.target === 'trent' && x.scenario === r.scenario && x.inFlight === r.inFlight);
    const ratio = r.target !== 'trent' && trent?.result && r.result?.perSecond
      ? `${fmt(trent.result.perSecond / r.result.perSecond, 2)}, ${fmt(cpuPerRequest(trent)! / cpuPerRequest(r)!, 1)}` : '';
    console.log(`| ${r.scenario} | ${r.inFlight} | ${r.target} | ${fmt(r.result?.perSecond)} | ${fmt(r.result?.p50Ms, 2)} | ` +
      `${fmt(r.result?.p99Ms, 2)} | ${fmt(r.cpuCores, 2)} | ${fmt(cpuPerRequest(r), 1)} | ${fmt(r.result && r.result.generatorCpuSeconds / r.result.seconds, 2)} | ` +
      `${r.result ? r.result.errors : r.note ?? ''}${r.result?.errors ? ` (${r.note})` : ''} | ${ratio} |`);
  }
  if (scraped) console.log(`\n${scraped}`);
  const p256 = rows.filter((r) => r.target === 'trent' && r.scenario === 'Sign ECC_NIST_P256 DIGEST' && r.result);
  if (p256.length) {
    const best = Math.max(...p256.map((r) => r.result!.perSecond));
    console.log(`\nSign ECC_NIST_P256 DIGEST: Trent's best ${fmt(best)} req/s = ${fmt((100 * best) / signCeiling, 1)} % of Node crypto alone (${fmt(signCeiling)}/s).`);
  }
}

void main().then(() => process.exit(0), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
