import type { Target } from './lean-client.js';

/** What an operator's monitoring saw of Trent during the benchmark's cells. */
export interface ScrapeTally {
  scrapes: number;
  failures: number;
  slowestMs: number;
}

/**
 * Scrapes Trent's `/-/health` and `/-/metrics` once a second, as a monitoring system would, while the load
 * runs: each answer must be 200 (health's JSON saying ok). Returns the stop function, which resolves to the tally.
 */
export function scrapeWhileLoaded(target: Target): () => Promise<ScrapeTally> {
  const tally: ScrapeTally = { scrapes: 0, failures: 0, slowestMs: 0 };
  const base = `http://${target.host}:${target.port}`;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const path of ['/-/health', '/-/metrics']) {
        const start = performance.now();
        const ok = await fetch(base + path).then(async (r) => r.status === 200 && (path !== '/-/health' || (await r.json() as { status?: string }).status === 'ok'),
          () => false);
        tally.scrapes++;
        if (!ok) tally.failures++;
        tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return async () => {
    running = false;
    await loop;
    return tally;
  };
}
