/**
 * Nanoseconds per call of `fn`, measured for about `ms` milliseconds after a warm-up, reading the clock once per
 * `batch` calls: the micro-measures that print figures for BENCHMARKS.md and the notes, skipped in the suite.
 */
export function nsPerCall(fn: () => void, ms = 1000, batch = 1024): number {
  for (let i = 0; i < 100_000; i++) fn(); // warm up
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / n;
}
