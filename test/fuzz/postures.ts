import { credentialsFrom, removeDir, startTrent } from '../support/trent.js';
import { mib, runFuzz, type FuzzReport } from './fuzz.js';

/** Fuzzes a `trent dev` and a `trent serve` (requests signed with its administrator key) side by side. */
export async function fuzzBothPostures(seconds: number, seed: number, concurrency: number): Promise<FuzzReport[]> {
  return Promise.all((['dev', 'serve'] as const).map(async (posture, i) => {
    const trent = await startTrent({ posture });
    try {
      const credentials = posture === 'serve' ? credentialsFrom(trent.output()) : undefined;
      return await runFuzz({ trent, posture, credentials, seconds, seed: seed + i, concurrency });
    } finally {
      await trent.stop();
      await removeDir(trent.dataDir);
    }
  }));
}

/** One line per run: requests, 5xx, failures, peak RSS, the answers by status, and how the slow senders ended. */
export function summary(r: FuzzReport): string {
  const statuses = Object.entries(r.byStatus).sort().map(([s, n]) => `${s}×${n}`).join(' ');
  const fiveXX = Object.entries(r.byStatus).filter(([s]) => s.startsWith('5')).reduce((n, [, c]) => n + c, 0);
  const slow = r.slowSenders.map((s) => `${s.label} cut after ${s.closedAfterMs ?? '∞'} ms${s.status ? ` (${s.status})` : ''}`).join('; ');
  return `${r.posture} (seed ${r.seed}): ${r.requests} requests, ${fiveXX} 5xx, ${r.failures.length} failures, ` +
    `peak RSS ${mib(r.peakRssBytes)} MiB; ${statuses}; ${slow}`;
}
