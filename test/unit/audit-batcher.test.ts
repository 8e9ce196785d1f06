import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditBatcher } from '../../src/store/audit-trail.js';
import type { AuditRecord } from '../../src/store/types.js';

const record = (eventId: string): AuditRecord => ({
  eventId, eventTime: new Date(0), eventName: 'Encrypt', principal: '', accessKeyId: '', errorCode: '', resources: '', doc: '{}',
});

test('records appended together share one commit; those arriving during it share the next', async () => {
  const commits: string[][] = [];
  let release: () => void = () => undefined;
  const batcher = new AuditBatcher(async (records) => {
    commits.push(records.map((r) => r.eventId));
    if (commits.length === 1) await new Promise<void>((r) => { release = r; });
  });
  const first = [batcher.append(record('a')), batcher.append(record('b'))];
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  const second = [batcher.append(record('c')), batcher.append(record('d')), batcher.append(record('e'))];
  release();
  await Promise.all([...first, ...second]);
  assert.deepEqual(commits, [['a', 'b'], ['c', 'd', 'e']]);
});

test('a failed commit rejects every record of its batch, and the next batch is still committed', async () => {
  let calls = 0;
  const batcher = new AuditBatcher(async () => {
    if (++calls === 1) throw new Error('database or disk is full');
  });
  const failed = [batcher.append(record('a')), batcher.append(record('b'))];
  for (const p of failed) await assert.rejects(p, /disk is full/);
  await batcher.append(record('c'));
  assert.equal(calls, 2);
});
