import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { httpBytes, sendRaw, type RawAnswer } from '../fuzz/raw-http.js';
import { signRequest } from '../../src/util/sigv4.js';
import { credentialsFrom, useTrent, type SuiteTrent } from '../support/trent.js';

/** Signs a KMS request over `signedHeaders` only, then sends it with `sent` headers added on top (unsigned). */
async function send(trent: SuiteTrent, target: string, body: string, signed: Record<string, string>,
  sent: Record<string, string> = {}, extra: Array<[string, string]> = []): Promise<RawAnswer> {
  const { hostname, port } = new URL(trent().endpoint);
  const headers = { host: `${hostname}:${port}`, ...signed };
  const bytes = Buffer.from(body);
  const auth = signRequest({ method: 'POST', path: '/', headers, body: bytes }, credentialsFrom(trent().output()), 'us-west-2', 'kms', new Date());
  const all: Array<[string, string]> = [...Object.entries({ ...headers, ...sent, ...auth }), ...extra];
  return sendRaw(hostname, Number(port), { label: target, bytes: httpBytes('POST / HTTP/1.1', all, bytes) });
}

const typeOf = (a: RawAnswer) => (JSON.parse(a.body.toString()) as { __type: string }).__type;
const KMS_HEADERS = { 'content-type': 'application/x-amz-json-1.1' };

describe('serve refuses what a signature does not cover', () => {
  const trent = useTrent({ posture: 'serve' });

  test('a request whose X-Amz-Target is not signed is refused (a captured DescribeKey replayed as ScheduleKeyDeletion)', async () => {
    const key = await trent.client(credentialsFrom(trent().output())).send(new CreateKeyCommand({}));
    const body = JSON.stringify({ KeyId: key.KeyMetadata!.KeyId });
    const answer = await send(trent, 'ScheduleKeyDeletion', body, KMS_HEADERS, { 'x-amz-target': 'TrentService.ScheduleKeyDeletion' });
    assert.equal(answer.status, 400);
    assert.equal(typeOf(answer), 'InvalidSignatureException');
    assert.match(answer.body.toString(), /'x-amz-target' must be signed/);
  });

  test('an unsigned Content-Type, or any other x-amz-* header, is refused the same way', async () => {
    const target = { 'x-amz-target': 'TrentService.ListKeys' };
    const noType = await send(trent, 'ListKeys', '{}', target, KMS_HEADERS);
    assert.equal(typeOf(noType), 'InvalidSignatureException');
    assert.match(noType.body.toString(), /'content-type' must be signed/);
    const other = await send(trent, 'ListKeys', '{}', { ...target, ...KMS_HEADERS }, { 'x-amz-meta': 'x' });
    assert.equal(typeOf(other), 'InvalidSignatureException');
    const allSigned = await send(trent, 'ListKeys', '{}', { ...target, ...KMS_HEADERS });
    assert.equal(allSigned.status, 200);
  });

  test('a second Authorization header is refused (400), not ignored', async () => {
    const target = { 'x-amz-target': 'TrentService.ListKeys', ...KMS_HEADERS };
    const answer = await send(trent, 'ListKeys', '{}', target, {}, [['authorization', 'AWS4-HMAC-SHA256 Credential=x']]);
    assert.equal(answer.status, 400);
    assert.equal(typeOf(answer), 'IncompleteSignatureException');
  });
});

describe('what is not a well-formed KMS call is refused, in either posture', () => {
  const trent = useTrent();
  const raw = (path: string, target: string, body: Buffer) => {
    const { hostname, port } = new URL(trent().endpoint);
    const headers: Array<[string, string]> = [['host', 'h'], ['x-amz-target', `TrentService.${target}`], ...Object.entries(KMS_HEADERS)];
    return sendRaw(hostname, Number(port), { label: target, bytes: httpBytes(`POST ${path} HTTP/1.1`, headers, body) });
  };

  test('a KMS call on a path other than / is UnknownOperationException, as AWS JSON servers answer', async () => {
    const answer = await raw('/foo', 'ListKeys', Buffer.from('{}'));
    assert.equal(answer.status, 400);
    assert.equal(typeOf(answer), 'UnknownOperationException');
    assert.equal((await raw('/', 'ListKeys', Buffer.from('{}'))).status, 200);
  });

  test('a body that is not UTF-8 is a SerializationException, not decoded with U+FFFD in place of the bad bytes', async () => {
    const body = Buffer.concat([Buffer.from('{"Description":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const answer = await raw('/', 'CreateKey', body);
    assert.equal(answer.status, 400);
    assert.equal(typeOf(answer), 'SerializationException');
  });
});
