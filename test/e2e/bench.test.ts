import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { call, Connection, kmsRequest } from '../../bench/lean-client.js';
import { startFloor } from '../../bench/targets.js';
import { parseBlob } from '../../src/keys/ciphertext.js';
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

// The floor is a bound only if it does the work it claims: a request altered after signing, or signed too long ago,
// is refused, and what it answers is a sealed blob of the plaintext.
test('the floor server checks each signature and seals each plaintext', { skip }, async () => {
  const floor = await startFloor();
  const connection = new Connection(floor.host, floor.port);
  try {
    const payload = { KeyId: 'any', Plaintext: Buffer.alloc(100, 'p').toString('base64') };
    const out = await call(floor, 'Encrypt', payload, connection);
    const blob = parseBlob(Buffer.from(String(out.CiphertextBlob), 'base64'));
    assert.ok(blob, 'the answer is not a ciphertext blob');
    assert.equal(blob.body.length, 100);

    const signed = kmsRequest(floor, 'Encrypt', payload);
    const tampered = Buffer.from(signed);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 3) ^ 1, tampered.length - 3); // a byte of the body's plaintext
    assert.equal((await connection.send(tampered)).status, 403);
    const stale = kmsRequest(floor, 'Encrypt', payload, new Date(Date.now() - 10 * 60_000));
    assert.equal((await connection.send(stale)).status, 403);
    const forged = kmsRequest({ ...floor, credentials: { ...floor.credentials, secretAccessKey: 'not-the-secret' } }, 'Encrypt', payload);
    assert.equal((await connection.send(forged)).status, 403);
    // Signed, but no plaintext to seal: refused, and the server goes on.
    assert.equal((await connection.send(kmsRequest(floor, 'Encrypt', 'not an object'))).status, 400);
    assert.equal((await connection.send(signed)).status, 200);
  } finally {
    connection.close();
    await floor.stop();
  }
});
