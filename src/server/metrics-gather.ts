import cluster from 'node:cluster';
import type { AggregatorRegistry, PrometheusContentType } from 'prom-client';

/**
 * One scrape of a node's metrics: the worker that got GET /-/metrics asks the primary, which gathers every
 * worker's registry with prom-client's AggregatorRegistry (over the cluster's IPC channels: each worker answers
 * it from the registry Metrics gave it) and hands the sum back. The primary loads prom-client on the first
 * scrape only, so a node never scraped keeps its primary at a bare Node's memory.
 */
type GatherMessage =
  | { readonly metrics: 'gather'; readonly id: number }
  | { readonly metrics: 'gathered'; readonly id: number; readonly text?: string; readonly error?: string };

const isGatherMessage = (m: unknown): m is GatherMessage => typeof m === 'object' && m !== null && 'metrics' in m;

const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();
let nextId = 0;
let listening = false;

/** The worker's side. */
export function askPrimaryForMetrics(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on('message', (m: unknown) => {
      if (!isGatherMessage(m) || m.metrics !== 'gathered') return;
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.text !== undefined) w?.resolve(m.text);
      else w?.reject(new Error(`gathering the workers' metrics failed: ${m.error}`));
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    process.send!({ metrics: 'gather', id } satisfies GatherMessage);
  });
}

/** The primary's side. A worker gone before its answer is sent is not an error here. */
export function answerMetricsRequests(): void {
  let registry: Promise<AggregatorRegistry<PrometheusContentType>> | undefined;
  cluster.on('message', (worker, m: unknown) => {
    if (!isGatherMessage(m) || m.metrics !== 'gather') return;
    registry ??= import('prom-client').then((c) => new c.default.AggregatorRegistry());
    const answer = (reply: GatherMessage) => { if (!worker.isDead()) worker.send(reply, () => undefined); };
    registry.then((r) => r.clusterMetrics()).then(
      (text) => answer({ metrics: 'gathered', id: m.id, text }),
      (e: unknown) => answer({ metrics: 'gathered', id: m.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
}
