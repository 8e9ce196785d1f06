import { parseArgs } from 'node:util';
import { runCrashSoak } from './crash-soak.js';

/** `npm run soak:crash [-- --cycles N --seconds S --clients C]`: the long crash-safety soak. */
const { values } = parseArgs({
  options: {
    cycles: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '8' },
    clients: { type: 'string', default: '8' },
  },
});
const seconds = Number(values.seconds);
const report = await runCrashSoak({
  cycles: Number(values.cycles),
  loadMs: [Math.round(seconds * 250), Math.round(seconds * 1000)],
  clients: Number(values.clients),
  log: (line) => console.log(line),
});
for (const p of [...report.losses, ...report.unexpected]) console.error(p);
console.log(`${report.cycles} cycles, ${report.acknowledged} acknowledged writes, ${report.losses.length} losses` +
  ` (${report.unexpected.length} unexpected answers, ${report.extras} unacknowledged keys found whole)`);
process.exit(report.losses.length + report.unexpected.length === 0 ? 0 : 1);
