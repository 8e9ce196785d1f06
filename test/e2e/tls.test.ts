import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { CreateKeyCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { credentialsFrom, startTrent, useTrent } from '../support/trent.js';

const dir = mkdtempSync(join(tmpdir(), 'trent-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const path = (name: string) => join(dir, name);

/** A self-signed certificate for 127.0.0.1 whose subject is CN=`name`, written to `name`.crt and `name`.key. */
function certificate(name: string): { cert: string; key: string; pem: Buffer } {
  const cert = path(`${name}.crt`);
  const key = path(`${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key, pem: readFileSync(path(`${name}.crt`)) };
}

const first = certificate('first');
const second = certificate('second');
/** The files the server is given: `first`'s at start, overwritten with `second`'s before a SIGHUP. */
const live = { cert: path('live.crt'), key: path('live.key') };
writeFileSync(live.cert, readFileSync(path('first.crt')));
writeFileSync(live.key, readFileSync(path('first.key')));

function tlsConnect(port: number, options: { minVersion?: 'TLSv1' | 'TLSv1.2'; maxVersion?: 'TLSv1.1' } = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: [first.pem, second.pem], ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** One request on an open connection, answered before the promise resolves (enough to prove the connection is alive). */
function roundTrip(socket: TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    const onData = (d: Buffer) => {
      received += d.toString('latin1');
      if (/\r\n\r\n/.test(received)) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.write('POST / HTTP/1.1\r\nHost: h\r\nX-Amz-Target: TrentService.GenerateRandom\r\n' +
      'Content-Type: application/x-amz-json-1.1\r\nContent-Length: 21\r\n\r\n{"NumberOfBytes": 16}');
  });
}

const subjectOf = (socket: TLSSocket) => socket.getPeerCertificate().subject.CN;

/** A key policy allowing the account everything, over TLS only. */
const TLS_ONLY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*',
    Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
});

describe('serve over TLS', () => {
  const trent = useTrent({ posture: 'serve', args: ['--tls-cert', live.cert, '--tls-key', live.key, '--workers', '2'] });
  const port = () => Number(new URL(trent().endpoint).port);

  test('serves HTTPS only: the AWS SDK works with the CA, a plain HTTP request gets no answer', async () => {
    assert.match(trent().output(), /listening on https:\/\//);
    const kms = new KMSClient({
      endpoint: trent().endpoint.replace('http:', 'https:'), region: 'us-west-2', credentials: credentialsFrom(trent().output()),
      maxAttempts: 1, requestHandler: { httpsAgent: new Agent({ ca: [first.pem, second.pem] }) },
    });
    await kms.send(new ListKeysCommand({}));
    await assert.rejects(fetch(`${trent().endpoint}/`, { method: 'POST', body: '{}' }));
  });

  test('TLS 1.1 and older are refused', async () => {
    await assert.rejects(tlsConnect(port(), { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' }));
  });

  test('aws:SecureTransport is true over TLS: a key whose policy allows only TLS callers is usable', async () => {
    const creds = credentialsFrom(trent().output());
    const kms = new KMSClient({
      endpoint: trent().endpoint.replace('http:', 'https:'), region: 'us-west-2', credentials: creds, maxAttempts: 1,
      requestHandler: { httpsAgent: new Agent({ ca: [first.pem, second.pem] }) },
    });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Policy: TLS_ONLY, BypassPolicyLockoutSafetyCheck: true }));
    await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }));
  });

  test('SIGHUP to the primary reloads the certificate in every worker, and open connections carry on', async () => {
    const before = await Promise.all([tlsConnect(port()), tlsConnect(port()), tlsConnect(port()), tlsConnect(port())]);
    assert.ok(before.every((s) => subjectOf(s) === 'first'));
    writeFileSync(live.cert, readFileSync(path('second.crt')));
    writeFileSync(live.key, readFileSync(path('second.key')));
    process.kill(trent().pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 500));
    // New connections, spread over both workers by the kernel, all see the new certificate.
    const afterwards = await Promise.all(Array.from({ length: 8 }, () => tlsConnect(port())));
    assert.deepEqual(afterwards.map(subjectOf), Array(8).fill('second'));
    for (const s of before) assert.match(await roundTrip(s), /^HTTP\/1\.1 400 /); // unsigned in serve: answered, not dropped
    for (const s of [...before, ...afterwards]) s.destroy();
    assert.doesNotMatch(trent().output(), /exited/);
  });
});

describe('serve refuses plain HTTP off loopback', () => {
  const trent = (args: readonly string[]) => startTrent({ posture: 'serve', args: ['--host', '0.0.0.0', ...args] });

  test('without TLS, with one clear line', async () => {
    const failure = await trent([]).then(async (t) => { await t.stop(); return assert.fail('started'); }, (e: Error) => e.message);
    const lines = failure.split('\n').slice(1).filter((l) => l !== '');
    assert.deepEqual(lines, ['trent: serve on 0.0.0.0 needs TLS: give --tls-cert and --tls-key, or --tls-terminated-by-proxy ' +
      'when a proxy in front of Trent ends TLS']);
  });

  test('a configuration error is one line too', async () => {
    for (const [args, expected] of [
      [['--port', 'abc'], 'trent: invalid port: abc'],
      [['--tls-cert', first.cert], 'trent: --tls-cert and --tls-key go together: give both, or neither'],
    ] as const) {
      const failure = await startTrent({ posture: 'serve', args: [...args] })
        .then(async (t) => { await t.stop(); return assert.fail('started'); }, (e: Error) => e.message);
      assert.deepEqual(failure.split('\n').slice(1).filter((l) => l !== ''), [expected]);
    }
  });

  test('unless told a proxy ends TLS, and then aws:SecureTransport is true (false on plain loopback HTTP)', async () => {
    for (const [args, secure] of [[['--tls-terminated-by-proxy'], true], [['--host', '127.0.0.1'], false]] as const) {
      const running = await trent([...args, '--workers', '1']);
      try {
        const kms = running.client(credentialsFrom(running.output()));
        const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Policy: TLS_ONLY, BypassPolicyLockoutSafetyCheck: true }));
        const encrypt = kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x') }));
        if (secure) await encrypt;
        else await assert.rejects(encrypt, { name: 'AccessDeniedException' });
      } finally {
        await running.stop();
      }
    }
  });

  test('a TLS key that does not match its certificate is one line naming the files', async () => {
    const failure = await trent(['--tls-cert', first.cert, '--tls-key', second.key])
      .then(async (t) => { await t.stop(); return assert.fail('started'); }, (e: Error) => e.message);
    const lines = failure.split('\n').slice(1).filter((l) => l !== '');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^trent: TLS: cannot use .*first\.crt and .*second\.key: /);
  });
});


