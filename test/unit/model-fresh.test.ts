import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../support/trent.js';

test('the generated model files are what model/kms-2014-11-01.json produces', () => {
  // Exits non-zero, naming the stale files, when someone edited the model without `npm run gen:model`.
  assert.doesNotThrow(() => execFileSync(process.execPath, [join(REPO, 'scripts', 'gen-model.mjs'), '--check'], { stdio: 'pipe' }));
});

test('the generated IAM and STS model files are what model/iam-2010-05-08.json and model/sts-2011-06-15.json produce', () => {
  assert.doesNotThrow(() => execFileSync(process.execPath, [join(REPO, 'scripts', 'gen-query-model.mjs'), '--check'], { stdio: 'pipe' }));
});
