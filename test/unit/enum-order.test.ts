import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { SHAPES } from '../../src/model/shapes.gen.js';
import { REPO, SHARED } from '../support/trent.js';

const RECORDED = join(SHARED, 'reference', 'aws-recorded');

/** Every "enum value set: [...]" list in the responses recorded from AWS, as AWS ordered it. */
function recordedEnumLists(): string[][] {
  const lists = new Map<string, string[]>();
  for (const file of readdirSync(RECORDED).filter((f) => f.endsWith('.json'))) {
    for (const m of readFileSync(join(RECORDED, file), 'utf8').matchAll(/enum value set: \[([^\]]*)\]/g)) {
      lists.set(m[1]!, m[1]!.split(', '));
    }
  }
  return [...lists.values()];
}

test('the enum order of validation messages reproduces every list recorded from AWS, whatever order it starts from', async (t) => {
  const lists = recordedEnumLists();
  if (lists.length === 0) return t.skip(`no recordings in ${RECORDED}`);
  const { awsEnumOrder } = await import(pathToFileURL(join(REPO, 'scripts', 'gen-model.mjs')).href) as
    { awsEnumOrder: (values: string[]) => string[] };
  for (const recorded of lists) {
    for (const start of [[...recorded].reverse(), [...recorded].sort(), recorded]) {
      assert.deepEqual(awsEnumOrder(start), recorded);
    }
  }
});

test('enums whose recorded set is the model\'s current set are generated in the recorded order', (t) => {
  const lists = recordedEnumLists();
  if (lists.length === 0) return t.skip(`no recordings in ${RECORDED}`);
  const current = Object.values(SHAPES).flatMap((s) => (s.enum ? [s.enum] : []));
  const same = lists.filter((l) => current.some((e) => e.length === l.length && l.every((v) => e.includes(v))));
  assert.ok(same.length >= 2, 'the MAC algorithm and key agreement sets are recorded as the model has them');
  for (const recorded of same) {
    assert.ok(current.some((e) => JSON.stringify(e) === JSON.stringify(recorded)), recorded.join(', '));
  }
});
