import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { fuzzBothPostures, summary } from './postures.js';

/** `npm run fuzz -- --seconds N [--seed S] [--concurrency C]`: hostile requests to a dev and a serve Trent. */
const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, seed: { type: 'string' }, concurrency: { type: 'string', default: '16' } },
});
const reports = await fuzzBothPostures(Number(values.seconds), Number(values.seed ?? randomInt(2 ** 31)), Number(values.concurrency));
for (const r of reports) {
  console.log(summary(r));
  for (const f of r.failures) console.error(`  ${f}`);
}
process.exit(reports.every((r) => r.failures.length === 0) ? 0 : 1);
