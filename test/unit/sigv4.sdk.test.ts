/**
 * The real AWS SDK KMS client, over real HTTP, against a bare server that only authenticates:
 * what Node hands the server (req.url, lower-cased req.headers) must verify, and the SDK must
 * surface our errors under their AWS names.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { parseAuthorization, verifySignature } from '../../src/protocol/authenticate.js';
import { KmsError } from '../../src/model/errors.js';
import { SigningKeys } from '../../src/util/sigv4.js';
import { rejects } from '../support/kms.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
let server: Server;
let endpoint: string;
/** How far the server's clock is ahead of the real one. */
let serverSkewMs = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parts = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
      const now = new Date(Date.now() + serverSkewMs);
      let status = 200;
      let payload: unknown = { Keys: [], Truncated: false };
      try {
        const auth = parseAuthorization(parts, { now, region: 'eu-central-1' });
        verifySignature(parts, auth, new SigningKeys(SECRET));
      } catch (e) {
        if (!(e instanceof KmsError)) throw e;
        status = e.status;
        payload = { __type: e.type, message: e.message };
      }
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

function client(secretAccessKey: string): KMSClient {
  // One attempt: the SDK would otherwise correct its clock from our reply and retry.
  return new KMSClient({ endpoint, region: 'eu-central-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey } });
}

test('the SDK signs, we verify', async () => {
  const out = await client(SECRET).send(new ListKeysCommand({ Limit: 10 }));
  assert.deepEqual(out.Keys, []);
});

test('a wrong secret is InvalidSignatureException with AWS text', async () => {
  await rejects(
    client(SECRET.replace('w', 'W')).send(new ListKeysCommand({})),
    'InvalidSignatureException',
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
});

test('a client clock 10 minutes behind is "Signature expired", ahead is "not yet current"', async () => {
  try {
    serverSkewMs = 10 * 60_000;
    await rejects(client(SECRET).send(new ListKeysCommand({})), 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    serverSkewMs = -10 * 60_000;
    await rejects(client(SECRET).send(new ListKeysCommand({})), 'InvalidSignatureException', /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/);
  } finally {
    serverSkewMs = 0;
  }
});

test('an unsigned request is MissingAuthenticationTokenException', async () => {
  const res = await fetch(endpoint, { method: 'POST', headers: { 'x-amz-target': 'TrentService.ListKeys' }, body: '{}' });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
});
