/**
 * `trent xks-proxy` against the XKS proxy API v1 spec (aws/aws-kms-xksproxy-api-spec, kms-facts.md §1.10),
 * request by request: every operation, every error of the spec's table the proxy can meet, and SigV4 negatives.
 * Requests are signed here with the shared signer and sent over HTTPS trusting only the test's own CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signRequest, type Credentials } from '../../src/util/sigv4.js';
import { freePort, makeTestCa, proxyCli, startProxy, type RunningProxy, type TestCa } from '../support/xks.js';

const HOST = 'xks.trent.test';
const PREFIX = '/tenant-a';
const BASE = `${PREFIX}/kms/xks/v1`;

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Answer { status: number; text: string; body: Record<string, unknown> }

describe('trent xks-proxy: the XKS proxy API v1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-xks-proxy-'));
  const keysDir = join(dir, 'keys');
  let ca: TestCa;
  let proxy: RunningProxy;
  let creds: Credentials;
  const keys: Record<string, string> = {};

  before(async () => {
    ca = makeTestCa(dir, [HOST]);
    creds = JSON.parse(proxyCli(keysDir, 'create-credential')) as Credentials;
    keys.both = proxyCli(keysDir, 'create-key').trim();
    keys.encryptOnly = proxyCli(keysDir, 'create-key', '--usage', 'encrypt').trim();
    keys.decryptOnly = proxyCli(keysDir, 'create-key', '--usage', 'decrypt').trim();
    keys.impotent = proxyCli(keysDir, 'create-key', '--usage', 'none').trim();
    keys.disabled = proxyCli(keysDir, 'create-key', '--id', 'disabled-key').trim();
    proxyCli(keysDir, 'disable-key', keys.disabled);
    keys.alice = proxyCli(keysDir, 'create-key', '--id', 'alice-only', '--allow-principal', 'arn:aws:iam::111122223333:user/alice').trim();
    proxy = await startProxy(keysDir, ca, await freePort(), PREFIX);
  });
  after(async () => {
    await proxy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  function send(path: string, payload: unknown, o: { creds?: Credentials | null; method?: string; service?: string; date?: Date;
    tamper?: (body: Buffer) => Buffer; port?: number } = {}): Promise<Answer> {
    const body = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const headers: Record<string, string> = { host: HOST, 'content-type': 'application/json' };
    const signer = o.creds === undefined ? creds : o.creds;
    const method = o.method ?? 'POST';
    if (signer) Object.assign(headers, signRequest({ method, path, headers, body }, signer, 'us-east-1', o.service ?? 'kms-xks-proxy', o.date ?? new Date()));
    const sent = o.tamper ? o.tamper(body) : body;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: o.port ?? proxy.port, servername: HOST, ca: ca.ca, method, path, agent: false,
        headers: { ...headers, 'content-length': String(sent.length) } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode!, text, body: text ? JSON.parse(text) as Record<string, unknown> : {} });
        });
      });
      req.on('error', reject);
      req.end(sent);
    });
  }

  const meta = (op: string) => ({ awsPrincipalArn: 'arn:aws:iam::111122223333:user/bob', kmsKeyArn: 'arn:aws:kms:us-east-1:111122223333:key/k',
    kmsOperation: op, kmsRequestId: `req-${randomBytes(4).toString('hex')}` });
  const fails = (a: Answer, status: number, errorName: string) => {
    assert.equal(a.status, status, a.text);
    assert.equal(a.body.errorName, errorName);
    assert.equal(typeof a.body.errorMessage, 'string');
    assert.match(a.body.errorMessage as string, /^[\x20-\x7e]{0,511}$/);
  };
  const encryptPayload = (plaintext: Buffer, aad?: Buffer) => ({
    requestMetadata: meta('Encrypt'), plaintext: plaintext.toString('base64'), encryptionAlgorithm: 'AES_GCM',
    ...(aad ? { additionalAuthenticatedData: aad.toString('base64') } : {}), ciphertextDataIntegrityValueAlgorithm: 'SHA_256',
  });

  test('GetHealthStatus answers the fields the spec requires, in compact one-line JSON', async () => {
    const a = await send(`${BASE}/health`, { requestMetadata: { kmsRequestId: 'health-1', kmsOperation: 'KmsHealthCheck' } });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.text, JSON.stringify(JSON.parse(a.text)));
    assert.ok((a.body.xksProxyFleetSize as number) > 0);
    for (const f of ['xksProxyVendor', 'xksProxyModel', 'ekmVendor']) assert.equal(typeof a.body[f], 'string');
    const fleet = a.body.ekmFleetDetails as Array<Record<string, string>>;
    assert.ok(fleet.length >= 1 && fleet.length <= 10);
    assert.equal(fleet[0]!.healthStatus, 'ACTIVE');
  });

  test('GetHealthStatus with requestMetadata missing, empty or incomplete is a ValidationException', async () => {
    fails(await send(`${BASE}/health`, {}), 400, 'ValidationException');
    fails(await send(`${BASE}/health`, { requestMetadata: {} }), 400, 'ValidationException');
    fails(await send(`${BASE}/health`, { requestMetadata: { kmsRequestId: 'x' } }), 400, 'ValidationException');
    fails(await send(`${BASE}/health`, 'not json'), 400, 'ValidationException');
  });

  test('GetKeyMetadata: spec, usages and status; an unknown key is KeyNotFoundException', async () => {
    const a = await send(`${BASE}/keys/${keys.both}/metadata`, { requestMetadata: meta('DescribeKey') });
    assert.deepEqual(a.body, { keySpec: 'AES_256', keyUsage: ['ENCRYPT', 'DECRYPT'], keyStatus: 'ENABLED' });
    const e = await send(`${BASE}/keys/${keys.encryptOnly}/metadata`, { requestMetadata: meta('CreateKey') });
    assert.deepEqual(e.body.keyUsage, ['ENCRYPT']);
    const d = await send(`${BASE}/keys/${keys.disabled}/metadata`, { requestMetadata: meta('CreateKey') });
    assert.equal(d.body.keyStatus, 'DISABLED');
    fails(await send(`${BASE}/keys/no-such-key/metadata`, { requestMetadata: meta('CreateKey') }), 404, 'KeyNotFoundException');
  });

  test('Encrypt and Decrypt round-trip with AAD; the CDIV is SHA-256 of AAD, IV, ciphertext and tag', async () => {
    const plaintext = randomBytes(4300);
    const aad = randomBytes(8192);
    const e = await send(`${BASE}/keys/${keys.both}/encrypt`, encryptPayload(plaintext, aad));
    assert.equal(e.status, 200, e.text);
    const [ct, iv, tag] = ['ciphertext', 'initializationVector', 'authenticationTag'].map((f) => Buffer.from(e.body[f] as string, 'base64'));
    assert.equal(ct!.length, plaintext.length);
    assert.equal(iv!.length, 12);
    assert.equal(tag!.length, 16);
    const cdiv = createHash('sha256').update(aad).update(iv!).update(ct!).update(tag!).digest('base64');
    assert.equal(e.body.ciphertextDataIntegrityValue, cdiv);
    const decrypt = (o: Record<string, unknown> = {}) => send(`${BASE}/keys/${keys.both}/decrypt`, {
      requestMetadata: meta('Decrypt'), ciphertext: e.body.ciphertext, initializationVector: e.body.initializationVector,
      authenticationTag: e.body.authenticationTag, additionalAuthenticatedData: aad.toString('base64'), encryptionAlgorithm: 'AES_GCM', ...o,
    });
    const d = await decrypt();
    assert.equal(d.status, 200, d.text);
    assert.deepEqual(Buffer.from(d.body.plaintext as string, 'base64'), plaintext);
    // Anything changed, the AAD left out, or metadata added where there was none: the tag does not verify.
    fails(await decrypt({ additionalAuthenticatedData: randomBytes(16).toString('base64') }), 400, 'InvalidCiphertextException');
    fails(await decrypt({ additionalAuthenticatedData: undefined }), 400, 'InvalidCiphertextException');
    fails(await decrypt({ ciphertextMetadata: Buffer.from('v1').toString('base64') }), 400, 'InvalidCiphertextException');
    const flipped = Buffer.from(ct!);
    flipped[0]! ^= 1;
    fails(await decrypt({ ciphertext: flipped.toString('base64') }), 400, 'InvalidCiphertextException');
    fails(await decrypt({ initializationVector: randomBytes(8).toString('base64') }), 400, 'ValidationException');
    fails(await decrypt({ authenticationTag: undefined }), 400, 'ValidationException');
    fails(await decrypt({ encryptionAlgorithm: 'AES_CBC' }), 400, 'ValidationException');
  });

  test('Encrypt without AAD or CDIV algorithm; a plaintext of any bytes, an unsupported size, bad parameters', async () => {
    const e = await send(`${BASE}/keys/${keys.both}/encrypt`, { requestMetadata: meta('Encrypt'), plaintext: 'AAEC', encryptionAlgorithm: 'AES_GCM' });
    assert.equal(e.status, 200, e.text);
    assert.equal(e.body.ciphertextDataIntegrityValue, undefined);
    fails(await send(`${BASE}/keys/${keys.both}/encrypt`, { ...encryptPayload(Buffer.from('x')), ciphertextDataIntegrityValueAlgorithm: 'MD5' }),
      400, 'ValidationException');
    fails(await send(`${BASE}/keys/${keys.both}/encrypt`, { ...encryptPayload(Buffer.from('x')), plaintext: '***' }), 400, 'ValidationException');
    fails(await send(`${BASE}/keys/${keys.both}/encrypt`, { ...encryptPayload(Buffer.from('x')), requestMetadata: { kmsOperation: 'Encrypt' } }),
      400, 'ValidationException');
    fails(await send(`${BASE}/keys/${keys.both}/encrypt`, encryptPayload(randomBytes(70_000))), 501, 'UnsupportedOperationException');
  });

  test('key usage, key state and secondary authorization', async () => {
    fails(await send(`${BASE}/keys/${keys.decryptOnly}/encrypt`, encryptPayload(Buffer.from('x'))), 400, 'InvalidKeyUsageException');
    const e = await send(`${BASE}/keys/${keys.encryptOnly}/encrypt`, encryptPayload(Buffer.from('x')));
    assert.equal(e.status, 200);
    fails(await send(`${BASE}/keys/${keys.encryptOnly}/decrypt`, { requestMetadata: meta('Decrypt'), encryptionAlgorithm: 'AES_GCM',
      ciphertext: e.body.ciphertext, initializationVector: e.body.initializationVector, authenticationTag: e.body.authenticationTag }),
    400, 'InvalidKeyUsageException');
    fails(await send(`${BASE}/keys/${keys.impotent}/encrypt`, encryptPayload(Buffer.from('x'))), 400, 'InvalidKeyUsageException');
    fails(await send(`${BASE}/keys/${keys.disabled}/encrypt`, encryptPayload(Buffer.from('x'))), 400, 'InvalidStateException');
    fails(await send(`${BASE}/keys/${keys.alice}/encrypt`, encryptPayload(Buffer.from('x'))), 403, 'AccessDeniedException');
    const alice = { ...encryptPayload(Buffer.from('x')), requestMetadata: { ...meta('Encrypt'), awsPrincipalArn: 'arn:aws:iam::111122223333:user/alice' } };
    assert.equal((await send(`${BASE}/keys/${keys.alice}/encrypt`, alice)).status, 200);
  });

  test('URI paths: another prefix or an unknown operation is InvalidUriPathException even when signed; GET is 405', async () => {
    const health = { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } };
    fails(await send('/tenant-b/kms/xks/v1/health', health), 404, 'InvalidUriPathException');
    fails(await send('/kms/xks/v1/health', health), 404, 'InvalidUriPathException');
    fails(await send(`${BASE}/keys/${keys.both}/sign`, health), 404, 'InvalidUriPathException');
    fails(await send(`${PREFIX}/kms/xks/v2/health`, health), 404, 'InvalidUriPathException');
    const get = await send(`${BASE}/health`, '', { method: 'GET' });
    assert.equal(get.status, 405);
  });

  test('SigV4: unsigned, wrong secret, unknown key ID, another service, a stale date, a changed body are AuthenticationFailedException', async () => {
    const path = `${BASE}/health`;
    const health = { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } };
    fails(await send(path, health, { creds: null }), 401, 'AuthenticationFailedException');
    fails(await send(path, health, { creds: { ...creds, secretAccessKey: `${creds.secretAccessKey.slice(0, -2)}AA` } }), 401, 'AuthenticationFailedException');
    fails(await send(path, health, { creds: { ...creds, accessKeyId: 'ABCDEFGHIJKLMNOPQRST' } }), 401, 'AuthenticationFailedException');
    fails(await send(path, health, { service: 'kms' }), 401, 'AuthenticationFailedException');
    fails(await send(path, health, { date: new Date(Date.now() - 6 * 60_000) }), 401, 'AuthenticationFailedException');
    fails(await send(path, health, { tamper: (b) => Buffer.from(b.toString().replace('"r"', '"s"')) }), 401, 'AuthenticationFailedException');
    // A signature of another path fails too (the path is signed).
    assert.equal((await send(path, health)).status, 200);
  });

  // AWS's test client (aws-samples/aws-kms-xksproxy-test-client) signs with curl's --aws-sigv4: that signer must pass too.
  test('requests signed by curl --aws-sigv4, as AWS\'s XKS proxy test client sends them', { skip: !hasCurl() && 'no curl' }, () => {
    const curl = (path: string, body: string, user = `${creds.accessKeyId}:${creds.secretAccessKey}`) => execFileSync('curl', [
      '-s', '--cacert', ca.caFile, '--resolve', `${HOST}:${proxy.port}:127.0.0.1`, `https://${HOST}:${proxy.port}${path}`,
      '-H', 'Content-Type:application/json', '--aws-sigv4', 'aws:amz:us-east-1:kms-xks-proxy', '--user', user, '--data-binary', body,
    ], { encoding: 'utf8' });
    const health = JSON.stringify({ requestMetadata: { kmsOperation: 'KmsHealthCheck', kmsRequestId: 'curl-1' } });
    assert.match(curl(`${BASE}/health`, health), /"healthStatus":"ACTIVE"/);
    assert.match(curl(`${BASE}/health`, '{}'), /ValidationException/);
    assert.match(curl(`${BASE}/health`, health, `Invalid${creds.accessKeyId}:${creds.secretAccessKey}`), /AuthenticationFailedException/);
    assert.match(curl(`${PREFIX}/invalid/kms/xks/v1/health`, health), /InvalidUriPathException/);
    const encrypted = JSON.parse(curl(`${BASE}/keys/${keys.both}/encrypt`, JSON.stringify(encryptPayload(Buffer.from('plaintext\n'))))) as Record<string, string>;
    const decrypted = JSON.parse(curl(`${BASE}/keys/${keys.both}/decrypt`, JSON.stringify({
      requestMetadata: meta('Decrypt'), ciphertext: encrypted.ciphertext, initializationVector: encrypted.initializationVector,
      authenticationTag: encrypted.authenticationTag, encryptionAlgorithm: 'AES_GCM',
    }))) as Record<string, string>;
    assert.equal(Buffer.from(decrypted.plaintext!, 'base64').toString(), 'plaintext\n');
  });

  test('credentials: 20-30 characters of [A-Z2-7] and a base64 secret; two at once for rotation, no third; a deleted one stops working', async () => {
    assert.match(creds.accessKeyId, /^[A-Z2-7]{20,30}$/);
    assert.match(creds.secretAccessKey, /^[A-Za-z0-9+/=]{43,64}$/);
    const second = JSON.parse(proxyCli(keysDir, 'create-credential')) as Credentials;
    assert.throws(() => proxyCli(keysDir, 'create-credential'));
    const shown = proxyCli(keysDir, 'show-credentials').trim().split('\n').map((l) => JSON.parse(l) as Credentials);
    assert.deepEqual(shown.map((c) => c.accessKeyId).sort(), [creds.accessKeyId, second.accessKeyId].sort());
    const path = `${BASE}/health`;
    const health = { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } };
    assert.equal((await send(path, health, { creds: second })).status, 200);
    assert.equal((await send(path, health)).status, 200);
    proxyCli(keysDir, 'delete-credential', second.accessKeyId);
    fails(await send(path, health, { creds: second }), 401, 'AuthenticationFailedException');
  });

  test('the log has one JSON line per request with its kmsRequestId, and never a plaintext', async () => {
    const plaintext = randomBytes(48);
    const payload = encryptPayload(plaintext);
    await send(`${BASE}/keys/${keys.both}/encrypt`, payload);
    // The line is written as the answer goes out: give the pipe from the proxy's process time to carry it.
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !line; i++) {
      const lines = proxy.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      line = lines.find((l) => l.kmsRequestId === payload.requestMetadata.kmsRequestId);
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(line, proxy.output());
    assert.equal(line.operation, 'Encrypt');
    assert.equal(line.status, 200);
    assert.equal(typeof line.latencyMs, 'number');
    assert.ok(!proxy.output().includes(plaintext.toString('base64')));
    assert.ok(!proxy.output().includes(creds.secretAccessKey));
  });

  test('a key the proxy cannot unwrap, or a key store it cannot read, is InternalException', async () => {
    const brokenDir = join(dir, 'broken');
    const broken = JSON.parse(proxyCli(brokenDir, 'create-credential')) as Credentials;
    const key = proxyCli(brokenDir, 'create-key').trim();
    const other = await startProxy(brokenDir, ca, await freePort(), PREFIX);
    try {
      const state = JSON.parse(readFileSync(join(brokenDir, 'state.json'), 'utf8')) as { keys: Array<{ wrapped: string }> };
      const wrapped = Buffer.from(state.keys[0]!.wrapped, 'base64');
      wrapped[20]! ^= 1;
      state.keys[0]!.wrapped = wrapped.toString('base64');
      writeFileSync(join(brokenDir, 'state.json'), JSON.stringify(state));
      fails(await send(`${BASE}/keys/${key}/encrypt`, encryptPayload(Buffer.from('x')), { creds: broken, port: other.port }), 500, 'InternalException');
      writeFileSync(join(brokenDir, 'state.json'), '{"keys": [');
      fails(await send(`${BASE}/health`, { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } }, { creds: broken, port: other.port }),
        500, 'InternalException');
    } finally {
      await other.stop();
    }
  });

  test('ThrottlingException above the prefix request rate', async () => {
    const limited = await startProxy(keysDir, ca, await freePort(), PREFIX, ['--max-rps', '2']);
    try {
      const health = { requestMetadata: { kmsRequestId: 'r', kmsOperation: 'KmsHealthCheck' } };
      const answers = await Promise.all(Array.from({ length: 8 }, () => send(`${BASE}/health`, health, { port: limited.port })));
      const throttled = answers.filter((a) => a.status === 429);
      assert.ok(throttled.length >= 1, answers.map((a) => a.status).join(','));
      fails(throttled[0]!, 429, 'ThrottlingException');
    } finally {
      await limited.stop();
    }
  });
});
