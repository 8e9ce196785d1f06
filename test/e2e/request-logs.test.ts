/**
 * Request logs: dev writes one line a person reads per request (operation, key, status, milliseconds), serve
 * writes JSON lines a log pipeline reads (request ID, caller, operation, outcome, latency); neither ever holds a
 * plaintext, a data key or a secret access key. --log-level (TRENT_LOG_LEVEL) silences them.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient,
} from '@aws-sdk/client-kms';
import { errorOf } from '../support/kms.js';
import { credentialsFrom, REPO, removeDir, useTrent } from '../support/trent.js';

const run = promisify(execFile);

/** The server writes asynchronously: wait until its output shows `pattern` (or give up after a while). */
async function eventually(output: () => string, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 100 && !pattern.test(output()); i++) await new Promise((r) => setTimeout(r, 50));
  return output();
}

describe('dev: a line per request', () => {
  const trent = useTrent();
  const kms = trent.client();

  test('operation, key, status (and error) and milliseconds', async () => {
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from('x') }));
    assert.equal((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })))).name, 'NotFoundException');
    const out = await eventually(trent().output, /DescribeKey - 400/);
    assert.match(out, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} CreateKey ${key!.KeyId} 200 \\d+ms$`, 'm'));
    assert.match(out, new RegExp(`^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} Encrypt ${key!.KeyId} 200 \\d+ms$`, 'm'));
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} DescribeKey - 400 NotFoundException \d+ms$/m);
    assert.match(out, /^\d\d:\d\d:\d\d\.\d{3} Trent \(dev\) listening on http:\/\//m);
    assert.match(out, /creating the store's schema/);
  });

  test('the admin endpoints are logged by method and path', async () => {
    await fetch(`${trent().endpoint}/-/admin/clock`);
    assert.match(await eventually(trent().output, /GET \/-\/admin\/clock/), /^\S+ GET \/-\/admin\/clock - 200 \d+ms$/m);
  });
});

test('--log-level warn writes no request line, nor the start-up ones', async () => {
  // Not started through useTrent: it waits for the "listening on" line, which this level leaves out.
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'trent-quiet-'));
  const child = spawn(process.execPath, [join(REPO, 'bin', 'trent.js'), 'dev', '--port', String(port), '--data-dir', dataDir,
    '--workers', '1', '--log-level', 'warn'], { env: { ...process.env, TRENT_KEY_POOL: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 300; i++) {
      if (await fetch(`${endpoint}/-/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const kms = new KMSClient({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    await kms.send(new CreateKeyCommand({}));
    kms.destroy();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(out, '');
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
    await removeDir(dataDir);
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

test('an unknown log level is refused at start', async () => {
  const e = await run(process.execPath, [join(REPO, 'bin', 'trent.js'), 'dev', '--port', '0', '--log-level', 'chatty'],
    { env: { ...process.env, TRENT_DATA_DIR: join(tmpdir(), 'trent-never-made') } }).then(() => undefined, (x: Error & { stderr: string }) => x);
  assert.ok(e, 'trent exited 0');
  assert.match(e.stderr, /invalid log level chatty/);
});

describe('serve: JSON lines, never a secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-logs-'));
  const credentialsFile = join(dir, 'admin.env');
  // The administrator's secret goes to a file: stdout is then nothing but the log.
  const trent = useTrent({ posture: 'serve', args: ['--admin-credentials-file', credentialsFile] });
  after(() => removeDir(dir));

  test('each request is one JSON object: request ID, caller, operation, key, outcome, status, latency', async () => {
    const admin = credentialsFrom(readFileSync(credentialsFile, 'utf8'));
    const kms = trent().client(admin);
    const plaintext = 'plaintext-canary-7f3d2a91';
    const { KeyMetadata: key, $metadata: created } = await kms.send(new CreateKeyCommand({ Description: 'logged' }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from(plaintext) }));
    await kms.send(new DecryptCommand({ CiphertextBlob }));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key!.KeyId, KeySpec: 'AES_256' }));
    assert.equal((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })))).name, 'NotFoundException');
    const bad = trent().client({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'not-a-secret-we-know' });
    await errorOf(bad.send(new CreateKeyCommand({})));

    const out = await eventually(trent().output, /UnrecognizedClientException/);
    const lines = out.split('\n').filter((l) => l !== '');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>); // every line is JSON
    const requests = records.filter((r) => r.msg === 'request');
    const create = requests.find((r) => r.operation === 'CreateKey' && r.outcome === 'ok')!;
    assert.equal(create.requestId, created.requestId);
    assert.equal(create.keyId, key!.KeyId);
    assert.equal(create.caller, 'arn:aws:iam::111122223333:root');
    assert.equal(create.accessKeyId, admin.accessKeyId);
    assert.equal(create.status, 200);
    assert.equal(typeof create.latencyMs, 'number');
    assert.equal(create.level, 30);
    assert.equal(typeof create.time, 'number');
    assert.deepEqual(requests.map((r) => `${String(r.operation)} ${String(r.outcome)}`), [
      'CreateKey ok', 'Encrypt ok', 'Decrypt ok', 'GenerateDataKey ok', 'DescribeKey NotFoundException', 'CreateKey UnrecognizedClientException',
    ]);
    assert.ok(records.some((r) => typeof r.msg === 'string' && r.msg.startsWith('Trent (serve) listening on')));

    for (const secret of [
      plaintext, Buffer.from(plaintext).toString('base64'), admin.secretAccessKey, 'not-a-secret-we-know',
      Buffer.from(dataKey.Plaintext!).toString('base64'), Buffer.from(CiphertextBlob!).toString('base64'),
    ]) {
      assert.equal(out.includes(secret), false, `the log holds ${secret}`);
    }
  });
});
