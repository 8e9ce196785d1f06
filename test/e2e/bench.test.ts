import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { call } from '../../bench/lean-client.js';
import { startFloor } from '../../bench/targets.js';
import { REPO } from '../support/trent.js';

const skip = process.env.TRENT_TEST_DATABASE_URL ? 'the benchmark runs Trent on its embedded store; the SQLite pass covers it' : false;

// The short form of `npm run bench`: every target of an Encrypt cell answers, with no error. No figure is judged.
test('the benchmark runs Trent, the bare server and the floor server side by side, without errors', { skip }, async () => {
  const { stdout } = await promisify(execFile)(process.execPath,
    [join(REPO, 'dist', 'bench', 'run.js'), '--seconds', '1', '--concurrency', '4', '--targets', 'trent,node-ceiling,node-floor', '--scenarios', 'encrypt'],
    { env: { ...process.env, TRENT_KEY_POOL: '0' }, timeout: 120_000 });
  for (const target of ['trent', 'node-ceiling', 'node-floor']) {
    const row = stdout.split('\n').find((l) => l.startsWith(`| Encrypt | 4 | ${target} |`));
    assert.ok(row, `no Encrypt row for ${target} in:\n${stdout}`);
    const cells = row.split('|').map((c) => c.trim());
    assert.ok(Number(cells[4]!.replace(/,/g, '')) > 0, `${target} answered nothing: ${row}`);
    assert.equal(cells[10], '0', `${target} had errors: ${row}`);
  }
});

// The floor is a bound only if it does the work it claims: a request signed with another secret is refused.
test('the floor server checks each signature and seals each plaintext', { skip }, async () => {
  const floor = await startFloor();
  try {
    const out = await call(floor, 'Encrypt', { KeyId: 'any', Plaintext: Buffer.alloc(100, 'p').toString('base64') });
    // Nonce, 100 bytes of AES-GCM ciphertext, tag.
    assert.equal(Buffer.from(String(out.CiphertextBlob), 'base64').length, 12 + 100 + 16);
    const forged = { ...floor, credentials: { ...floor.credentials, secretAccessKey: 'not-the-secret' } };
    await assert.rejects(call(forged, 'Encrypt', { KeyId: 'any', Plaintext: 'cA==' }), /Encrypt: 403/);
  } finally {
    await floor.stop();
  }
});
