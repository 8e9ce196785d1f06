import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const BIN = join(fileURLToPath(new URL('../../..', import.meta.url)), 'bin', 'trent.js');

test('a worker that keeps failing at start is retried with backoff, then the server exits with an error', async () => {
  // The port is taken, so every worker fails to listen.
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const dataDir = mkdtempSync(join(tmpdir(), 'trent-start-failure-'));
  try {
    const child = spawn(process.execPath, [BIN, 'dev', '--port', String(port), '--workers', '1', '--data-dir', dataDir],
      { env: { ...process.env, TRENT_KEY_POOL: '0', TRENT_DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`still running after 30 s:\n${out}`)); }, 30_000);
      child.once('exit', (c) => { clearTimeout(timer); resolve(c); });
    });
    assert.equal(code, 1, out);
    assert.match(out, /giving up/);
    assert.equal((out.match(/starting another in \d+ ms/g) ?? []).length, 4, out);
    // 250 + 500 + 1000 + 2000 ms of backoff between the five attempts.
    assert.ok(Date.now() - started >= 3_750);
  } finally {
    blocker.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
