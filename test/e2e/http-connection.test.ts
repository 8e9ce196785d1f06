import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import { credentialsFrom, useTrent } from '../support/trent.js';

/** Sends `wire` on a new connection, optionally shutting the sending side, and returns all that comes back. */
function exchange(endpoint: string, wire: string, halfClose: boolean): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), allowHalfOpen: true }, () => {
      socket.write(wire);
      if (halfClose) socket.end();
    });
    let received = '';
    socket.on('data', (d: Buffer) => { received += d.toString('latin1'); });
    socket.on('end', () => { socket.end(); resolve(received); });
    socket.on('error', reject);
  });
}

const request = (target: string, body: string, extra = '') =>
  `POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.${target}\r\n` +
  `${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const statuses = (raw: string) => [...raw.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

describe('HTTP connections', () => {
  const trent = useTrent();

  test('a client that shuts its side after sending still gets every answer (a write it asked for is acknowledged)', async () => {
    const raw = await exchange(trent().endpoint, request('CreateKey', '{"Description":"half-closed"}') + request('ListKeys', '{}'), true);
    assert.deepEqual(statuses(raw), [200, 200]);
    assert.match(raw, /"Description":"half-closed"/);
  });

  test('pipelined requests are answered in order, the last one closing when asked', async () => {
    const raw = await exchange(trent().endpoint,
      request('GenerateRandom', '{"NumberOfBytes":7}') + request('Nope', '{}') + request('ListKeys', '{}', 'Connection: close\r\n'), false);
    assert.deepEqual(statuses(raw), [200, 400, 200]);
    assert.match(raw.split('HTTP/1.1 ')[2]!, /UnknownOperationException/);
    assert.match(raw.split('HTTP/1.1 ')[3]!, /connection: close/i);
  });
});

describe('HTTP connections in serve', () => {
  const trent = useTrent({ posture: 'serve' });

  test('a signed header named after an Object property that was not sent is absent, not a server error', async () => {
    const { accessKeyId } = credentialsFrom(trent().output());
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    const auth = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date.slice(0, 8)}/us-east-1/kms/aws4_request, ` +
      `SignedHeaders=constructor;content-type;host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}`;
    const raw = await exchange(trent().endpoint,
      request('ListKeys', '{}', `X-Amz-Date: ${date}\r\nAuthorization: ${auth}\r\nConnection: close\r\n`), false);
    assert.deepEqual(statuses(raw), [400]);
    assert.match(raw, /InvalidSignatureException/);
  });
});
