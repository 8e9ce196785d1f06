/**
 * What one group commit of the audit trail costs on SQLite, apart from any request: records appended to a
 * store `--batch` at a time (each batch one commit and one WAL fsync, as under load), for `--seconds`, then the
 * CPU (user and system, of every thread) and wall time per batch. BENCHMARKS.md uses it to say what
 * share of a request's CPU its record's commit is, given the batch sizes the server sees.
 *
 *   node dist/bench/audit-commit.js [--batch 4] [--seconds 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SqliteStore } from '../src/store/sqlite.js';
import type { AuditRecord } from '../src/store/types.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '4' }, seconds: { type: 'string', default: '3' } } });
const batch = Number(values.batch);
const seconds = Number(values.seconds);

const dir = mkdtempSync(join(tmpdir(), 'trent-audit-commit-'));
const store = new SqliteStore(join(dir, 'trent.db'));
// About the size of an Encrypt's CloudTrail event (~1.1 KB).
const doc = JSON.stringify({ requestParameters: { keyId: 'k'.repeat(36) }, padding: 'p'.repeat(900) });
let n = 0;
const record = (): AuditRecord => ({
  eventId: `bench-${n++}`, eventTime: new Date(), eventName: 'Encrypt', principal: 'arn:aws:iam::111122223333:user/bench',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE', errorCode: '', resources: 'arn:aws:kms:us-east-1:111122223333:key/bench', doc,
});

try {
  for (const round of ['warm-up', 'measured']) {
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let batches = 0;
    while (performance.now() - started < seconds * 1000) {
      await Promise.all(Array.from({ length: batch }, () => store.appendAudit(record())));
      batches++;
    }
    const cpu = process.cpuUsage(cpu0);
    const ms = performance.now() - started;
    if (round === 'measured') {
      console.log(`${batch} records per commit: ${Math.round((1000 * batches) / ms)} commits/s; per commit ` +
        `${((cpu.user + cpu.system) / batches).toFixed(0)} µs of CPU (user ${(cpu.user / batches).toFixed(0)}, ` +
        `system ${(cpu.system / batches).toFixed(0)}), ${((1000 * ms) / batches).toFixed(0)} µs of wall time`);
    }
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
