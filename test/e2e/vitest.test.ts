/**
 * startTrent() under Vitest: test/vitest/ holds a Vitest file as a user would write it (one Trent per file, reset
 * before each test); this runs Vitest on it and checks that its tests passed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { REPO } from '../support/trent.js';

const run = promisify(execFile);

test('a Vitest file using startTrent() passes', { timeout: 300_000 }, async () => {
  const vitest = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
  const { stdout } = await run(process.execPath, [vitest, 'run', '--root', join(REPO, 'test', 'vitest'), '--reporter', 'verbose'],
    { cwd: REPO, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, timeout: 280_000 })
    .catch((e: Error & { stdout: string; stderr: string }) => assert.fail(`${e.message}\n${e.stdout}\n${e.stderr}`));
  assert.match(stdout, /Tests\s+2 passed \(2\)/);
});
