/**
 * The package as a user gets it: `npm pack`, installed into a fresh folder, ships only the executable and the
 * compiled code; there `npx trent dev` starts and answers, a node:test file using `startTrent()` creates and uses
 * keys and stops cleanly, and TypeScript finds the declarations.
 *
 * better-sqlite3's own install step (a native build: minutes of compiling here, where its prebuilt binaries cannot
 * be downloaded) is the one thing not repeated: the install skips scripts and the folder gets the binary this
 * checkout already built. Set TRENT_PACKAGE_TEST_FULL_INSTALL=1 to run the whole install, scripts included.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO } from '../support/trent.js';

const run = promisify(execFile);
const FULL_INSTALL = process.env.TRENT_PACKAGE_TEST_FULL_INSTALL === '1';

describe('the packed package, installed into a fresh folder', { timeout: 15 * 60_000 }, () => {
  let dir: string;
  let tarball: string;
  let app: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trent-package-'));
    // Scripts off: `prepare` would rebuild dist/, which the test run has just built.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: REPO });
    tarball = join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!);
    app = join(dir, 'app');
    cpSync(join(REPO, 'test', 'e2e', 'package-fixture'), app, { recursive: true });
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...(FULL_INSTALL ? [] : ['--ignore-scripts']), tarball],
      { cwd: app, timeout: 12 * 60_000 });
    if (!FULL_INSTALL) {
      cpSync(join(REPO, 'node_modules', 'better-sqlite3', 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('ships the executable and the compiled code: no sources, tests, maps or data', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.split('\n').filter((f) => f !== '');
    assert.ok(files.includes('package/bin/trent.js'));
    assert.ok(files.includes('package/dist/src/index.js'));
    assert.ok(files.includes('package/dist/src/index.d.ts'));
    const unexpected = files.filter((f) => !/^package\/(bin\/trent\.js|package\.json|README\.md|dist\/src\/.+\.(js|d\.ts))$/.test(f));
    assert.deepEqual(unexpected, []);
    assert.equal(files.some((f) => /\.trent|\/test\/|\.map$|\/src\/.*(?<!\.d)\.ts$/.test(f)), false);
  });

  test('npx trent dev starts and answers its health check', async () => {
    const child = spawn('npx', ['--no-install', 'trent', 'dev', '--port', '0', '--workers', '1', '--data-dir', join(dir, 'data')],
      { cwd: app, env: { ...process.env, TRENT_KEY_POOL: '0' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`trent did not start:\n${out}`)), 60_000);
        child.stdout.on('data', () => {
          const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
          if (m) { clearTimeout(timer); resolve(Number(m[1])); }
        });
        child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`trent exited (${code}):\n${out}`)); });
      });
      const health = await fetch(`http://127.0.0.1:${port}/-/health`);
      assert.equal(health.status, 200);
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });

  test('a node:test file using startTrent() creates and uses keys and stops cleanly', async () => {
    // Without this test runner's context: the child would report to it in its binary protocol, not in TAP.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const { stdout } = await run(process.execPath, ['--test', '--test-reporter', 'tap', 'kms.test.mjs'], { cwd: app, env, timeout: 120_000 })
      .catch((e: Error & { stdout: string; stderr: string }) => assert.fail(`${e.message}\n${e.stdout}\n${e.stderr}`));
    assert.match(stdout, /^# pass 2$/m);
    assert.match(stdout, /^# fail 0$/m);
  });

  test('TypeScript finds the declarations of the main export', async () => {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext',
      '--target', 'es2022', 'typed.mts'], { cwd: app })
      .catch((e: Error & { stdout: string }) => assert.fail(e.stdout));
    // And refuses a misuse: the types are real, not any.
    writeFileSync(join(app, 'wrong.mts'), "import { startTrent } from 'trent';\nconst t = await startTrent({ region: 42 });\n");
    const e = await run(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext',
      '--moduleResolution', 'nodenext', '--target', 'es2022', 'wrong.mts'], { cwd: app }).then(() => undefined, (x: { stdout: string }) => x);
    assert.ok(e, 'a number for region compiled');
    assert.match(e.stdout, /wrong\.mts\(2,\d+\): error TS2322/);
  });
});
