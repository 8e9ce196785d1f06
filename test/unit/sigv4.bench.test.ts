/**
 * Micro-measure of signing and verifying a typical KMS request; prints ops/s, asserts nothing.
 * Skipped unless SIGV4_BENCH=1 so the suite stays fast.
 */
import { test } from 'node:test';
import { SigningKeys, signRequest, type HttpRequestParts } from '../../src/util/sigv4.js';
import { parseAuthorization, verifySignature } from '../../src/protocol/authenticate.js';
import { nsPerCall } from '../support/micro-bench.js';

const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const BODY = Buffer.from(JSON.stringify({ KeyId: 'alias/bench', Plaintext: Buffer.alloc(64, 1).toString('base64') }));
const REQ: HttpRequestParts = {
  method: 'POST',
  path: '/',
  headers: {
    host: 'localhost:8080',
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(BODY.length),
    'x-amz-target': 'TrentService.Encrypt',
  },
  body: BODY,
};

/** Calls per second (the verifier is slower than the clock read, so 256 calls a read). */
function rate(fn: () => void): number {
  return Math.round(1e9 / nsPerCall(fn, 1000, 256));
}

test('sigv4 ops/s', { skip: process.env.SIGV4_BENCH !== '1' }, () => {
  const now = new Date();
  const signRate = rate(() => signRequest(REQ, CREDS, 'us-east-1', 'kms', now));
  const signed = { ...REQ, headers: { ...REQ.headers, ...signRequest(REQ, CREDS, 'us-east-1', 'kms', now) } };
  const keys = new SigningKeys(CREDS.secretAccessKey);
  const verifyRate = rate(() => verifySignature(signed, parseAuthorization(signed, { now }), keys));
  console.log(`signRequest: ${perSecond(signRate)}   parseAuthorization+verifySignature: ${perSecond(verifyRate)}`);
});

function perSecond(r: number): string {
  return `${r.toLocaleString('en-US')} ops/s`;
}
