import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashSoak } from '../soak/crash-soak.js';

// The short form of `npm run soak:crash`: a few SIGKILLs under write load, serve and dev postures alternating.
test('every acknowledged write and every answered request\'s audit record survive SIGKILLs under load, and nothing half-made is visible', async (t) => {
  const report = await runCrashSoak({ cycles: 3, loadMs: [500, 2500], clients: 6, log: (line) => t.diagnostic(line) });
  t.diagnostic(`${report.cycles} cycles, ${report.acknowledged} acknowledged writes, ${report.losses.length} losses (writes or audit records)`);
  assert.deepEqual(report.losses, []);
  assert.deepEqual(report.unexpected, []);
  assert.ok(report.acknowledged > 0, 'the load acknowledged no write');
});
