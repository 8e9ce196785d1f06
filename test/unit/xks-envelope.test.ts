import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { externalAad, externalHeader, formatExternalBlob, parseExternalBlob } from '../../src/keys/external-ciphertext.js';
import { formatHsmBlob, hsmHeader, parseHsmBlob } from '../../src/keys/hsm-ciphertext.js';
import { KmsError } from '../../src/model/errors.js';
import { SHAPES } from '../../src/model/shapes.gen.js';
import { connectionErrorCode, xksError } from '../../src/ops/custom-key-stores/xks-errors.js';
import type { XksFailure } from '../../src/ops/custom-key-stores/xks-port.js';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';

test('a version-2 blob reads back what was written, metadata or not, IV of 12 or 16 bytes', () => {
  const header = externalHeader('111122223333', KEY_ID);
  for (const [ivLength, metadata] of [[12, undefined], [16, randomBytes(20)], [12, Buffer.alloc(0)]] as const) {
    const iv = randomBytes(ivLength);
    const tag = randomBytes(16);
    const body = randomBytes(100);
    const parsed = parseExternalBlob(formatExternalBlob(header, iv, tag, metadata, body))!;
    assert.equal(parsed.accountId, '111122223333');
    assert.equal(parsed.keyId, KEY_ID);
    assert.deepEqual(parsed.header, header);
    assert.deepEqual([parsed.iv, parsed.tag, parsed.ciphertext], [iv, tag, body]);
    assert.deepEqual(parsed.metadata, metadata?.length ? metadata : undefined);
  }
});

test('what does not fit the blob is refused on writing, and not parsed', () => {
  const header = externalHeader('111122223333', KEY_ID);
  assert.throws(() => formatExternalBlob(header, randomBytes(8), randomBytes(16), undefined, Buffer.alloc(1)));
  assert.throws(() => formatExternalBlob(header, randomBytes(12), randomBytes(12), undefined, Buffer.alloc(1)));
  assert.throws(() => formatExternalBlob(header, randomBytes(12), randomBytes(16), randomBytes(21), Buffer.alloc(1)));
  const good = formatExternalBlob(header, randomBytes(12), randomBytes(16), undefined, randomBytes(10));
  // Every truncation, and a version 1 blob's first byte, are not version-2 blobs.
  for (let n = 0; n < header.length + 1 + 12 + 16 + 1; n++) assert.equal(parseExternalBlob(good.subarray(0, n)), undefined, `length ${n}`);
  assert.equal(parseExternalBlob(Buffer.concat([Buffer.of(1), good.subarray(1)])), undefined);
  const badIv = Buffer.from(good);
  badIv[header.length] = 13;
  assert.equal(parseExternalBlob(badIv), undefined);
});

test('a version-3 blob (AWS CloudHSM key stores) reads back; a truncated one or another version does not parse', () => {
  const header = hsmHeader('111122223333', KEY_ID);
  const iv = randomBytes(12);
  const sealed = randomBytes(40);
  const blob = formatHsmBlob(header, iv, sealed);
  const parsed = parseHsmBlob(blob)!;
  assert.deepEqual([parsed.accountId, parsed.keyId, parsed.header, parsed.iv, parsed.ciphertext], ['111122223333', KEY_ID, header, iv, sealed]);
  assert.equal(parseHsmBlob(blob.subarray(0, header.length + 12 + 15)), undefined);
  assert.equal(parseHsmBlob(formatExternalBlob(externalHeader('111122223333', KEY_ID), iv, randomBytes(16), undefined, sealed)), undefined);
  assert.throws(() => formatHsmBlob(header, randomBytes(16), sealed));
});

test('the AAD the proxy binds is the header and a digest of the context: 32 bytes past the header, whatever the context size', () => {
  const header = externalHeader('111122223333', KEY_ID);
  const a = externalAad(header, randomBytes(100_000));
  assert.equal(a.length, header.length + 32);
  assert.notDeepEqual(externalAad(header, Buffer.from('a')), externalAad(header, Buffer.from('b')));
});

const FAILURES: XksFailure[] = ['ValidationException', 'InvalidStateException', 'InvalidCiphertextException', 'InvalidKeyUsageException',
  'AuthenticationFailedException', 'AccessDeniedException', 'KeyNotFoundException', 'InvalidUriPathException', 'ThrottlingException',
  'UnsupportedOperationException', 'DependencyTimeoutException', 'InternalException', 'Unreachable', 'TlsFailure', 'Timeout', 'InvalidResponse'];

test('every proxy failure maps to an error of the model, KMSInvalidStateException for cryptographic operations, and a connection code', () => {
  for (const f of FAILURES) {
    const crypto = xksError(f, 'crypto');
    assert.ok(crypto instanceof KmsError);
    assert.equal(crypto.type, 'KMSInvalidStateException');
    assert.ok(crypto.message.length > 0);
    for (const site of ['manageStore', 'createKey'] as const) {
      const e = xksError(f, site);
      assert.ok(SHAPES[e.type]?.type === 'structure', `${f} at ${site}: ${e.type} is not an error shape of the model`);
      assert.equal(e.message, crypto.message, 'one message per failure, whatever KMS was doing');
    }
    assert.ok((SHAPES.ConnectionErrorCodeType!.enum as string[]).includes(connectionErrorCode(f)));
  }
  // The spec's table, row by row where it names the exception.
  assert.equal(xksError('AuthenticationFailedException', 'manageStore').type, 'XksProxyIncorrectAuthenticationCredentialException');
  assert.equal(xksError('InvalidUriPathException', 'manageStore').type, 'XksProxyInvalidConfigurationException');
  assert.equal(xksError('Timeout', 'manageStore').type, 'XksProxyUriUnreachableException');
  assert.equal(xksError('KeyNotFoundException', 'createKey').type, 'XksKeyNotFoundException');
  assert.equal(xksError('InvalidStateException', 'createKey').type, 'XksKeyInvalidConfigurationException');
  assert.equal(connectionErrorCode('AuthenticationFailedException'), 'INVALID_CREDENTIALS');
  assert.equal(connectionErrorCode('Timeout'), 'XKS_PROXY_TIMED_OUT');
});
