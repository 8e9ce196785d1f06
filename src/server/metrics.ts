import cluster from 'node:cluster';
import client from 'prom-client';
import { askPrimaryForMetrics } from './metrics-gather.js';
import type { OperationName } from '../model/types.gen.js';
import type { Store } from '../store/types.js';
import type { Config } from './config.js';

/** Upper bounds of the request latency histogram, in seconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** One operation's requests since start: plain numbers, so that noting a request costs a few additions. */
interface OperationStats {
  readonly outcomes: Map<string, number>;
  /** Per bucket of LATENCY_BUCKETS (not cumulative), then one for slower requests. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/**
 * Prometheus metrics of one worker, served for the whole node at GET /-/metrics: the worker that gets the scrape
 * asks the primary, which gathers every worker's registry and sums them (metrics-gather.ts). Labels are operation
 * names, error types and key specs: never a key ID, an alias or a principal, so no label set grows with use.
 *
 * The request path costs two map lookups and a few additions (Metrics.request); prom-client's metrics are made
 * from those numbers when scraped.
 */
export class Metrics {
  private readonly registry = new client.Registry();
  /**
   * The request counts and latencies, by operation. A prom-client counter child and histogram child took ~2.6 µs
   * per request here (label validation and hashing on each update), ~2% of a data-plane request's CPU; these
   * numbers are turned into prom-client's metrics at scrape time instead.
   */
  private readonly stats = new Map<string, OperationStats>();
  private readonly commits = new client.Histogram({
    name: 'trent_store_commit_duration_seconds', help: 'Time the store took to COMMIT a transaction, until durable (SQLite: one group commit and its fsync).',
    registers: [this.registry], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1],
  });
  private readonly refusedHttp = new client.Counter({
    name: 'trent_http_refused_total', help: 'Connections answered with an HTTP error before any KMS request was read (malformed, too large a head, too slow).',
    labelNames: ['status'], registers: [this.registry],
  });
  private readonly connections = new client.Gauge({
    name: 'trent_http_connections', help: 'Open client connections.', registers: [this.registry],
  });

  constructor(config: Config, store: Store) {
    const stats = this.stats;
    new client.Counter({
      name: 'trent_requests_total', help: 'KMS requests answered, by operation and outcome (ok, or the AWS error type).',
      labelNames: ['operation', 'outcome'], registers: [this.registry],
      collect() {
        this.reset();
        for (const [operation, s] of stats) for (const [outcome, n] of s.outcomes) this.inc({ operation, outcome }, n);
      },
    });
    // prom-client has no histogram to fill from counts, so this one is a metric of its own, in the shape its
    // registry reads (and its cluster aggregation sums, series by series).
    this.registry.registerMetric({
      name: 'trent_request_duration_seconds', help: 'Time from a KMS request read to its answer written, by operation.',
      type: 'histogram', aggregator: 'sum',
      get: async () => ({
        name: 'trent_request_duration_seconds', help: 'Time from a KMS request read to its answer written, by operation.',
        type: 'histogram', aggregator: 'sum',
        values: [...stats].flatMap(([operation, s]) => histogramValues(operation, s)),
      }),
    } as unknown as client.Metric);
    // The material pool is in the store, so every worker reads the same count: the node's value is any worker's
    // ('max'), not their sum. Read at scrape time only; only worker 0 refills the pool anyway.
    new client.Gauge({
      name: 'trent_material_pool_secrets', help: 'RSA secrets generated ahead and waiting in the store, by key spec.',
      labelNames: ['key_spec'], registers: [this.registry], aggregator: 'max',
      async collect() {
        for (const spec of Object.keys(config.keyPool)) this.set({ key_spec: spec }, await store.countPooledSecrets(spec));
      },
    });
    const target = new client.Gauge({
      name: 'trent_material_pool_target', help: 'RSA secrets the pool is kept filled to (TRENT_KEY_POOL), by key spec.',
      labelNames: ['key_spec'], registers: [this.registry], aggregator: 'max',
    });
    for (const [spec, size] of Object.entries(config.keyPool)) target.set({ key_spec: spec }, size);
    new client.Gauge({ name: 'trent_workers', help: 'Worker processes serving.', registers: [this.registry] }).set(1);
    store.commitTimer = (seconds) => this.commits.observe(seconds);
    if (cluster.isWorker) {
      // Answers the primary's gathering (prom-client listens once an AggregatorRegistry exists in the process).
      client.AggregatorRegistry.setRegistries(this.registry);
      new client.AggregatorRegistry();
    }
  }

  /** A KMS request answered: `outcome` is undefined for success, else the AWS error type. */
  request(operation: OperationName | undefined, outcome: string | undefined, seconds: number): void {
    const op = operation ?? 'unknown';
    let s = this.stats.get(op);
    if (!s) this.stats.set(op, s = { outcomes: new Map(), buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0), sum: 0, count: 0 });
    const result = outcome ?? 'ok';
    s.outcomes.set(result, (s.outcomes.get(result) ?? 0) + 1);
    let b = 0;
    while (b < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[b]!) b++;
    s.buckets[b]!++;
    s.sum += seconds;
    s.count++;
  }

  refused(status: number): void {
    this.refusedHttp.inc({ status: String(status) });
  }

  connectionOpened(): void {
    this.connections.inc();
  }

  connectionClosed(): void {
    this.connections.dec();
  }

  /** The node's metrics in Prometheus text format: every worker's, gathered by the primary (this process's alone outside a cluster). */
  async exposition(): Promise<string> {
    return cluster.isWorker && process.send ? askPrimaryForMetrics() : this.registry.metrics();
  }

  readonly contentType: string = client.Registry.PROMETHEUS_CONTENT_TYPE;
}

/** An operation's latency as Prometheus histogram series: cumulative buckets, +Inf, sum and count. */
function histogramValues(operation: string, s: OperationStats): HistogramValue[] {
  const name = 'trent_request_duration_seconds';
  const values: HistogramValue[] = [];
  let cumulative = 0;
  LATENCY_BUCKETS.forEach((le, i) => {
    cumulative += s.buckets[i]!;
    values.push({ labels: { le, operation }, value: cumulative, metricName: `${name}_bucket` });
  });
  values.push({ labels: { le: '+Inf', operation }, value: s.count, metricName: `${name}_bucket` });
  values.push({ labels: { operation }, value: s.sum, metricName: `${name}_sum` });
  values.push({ labels: { operation }, value: s.count, metricName: `${name}_count` });
  return values;
}

interface HistogramValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName: string;
}
