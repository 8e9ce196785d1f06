/**
 * SigV4: our verifier against the AWS SDK's signer (@smithy/signature-v4, an independent
 * implementation), our signer against the same, and every AWS error our verifier answers with.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  canonicalRequest,
  computeSignature,
  credentialScope,
  sha256Hex,
  signingKey,
  SigningKeys,
  signRequest,
  stringToSign,
  type Credentials,
  type HttpRequestParts,
} from '../../src/util/sigv4.js';
import { parseAuthorization, verifySignature, type ParsedAuthorization } from '../../src/protocol/authenticate.js';
import { throws } from '../support/kms.js';

const CREDS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

function bytes(d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof d === 'string') return d;
  return d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The hash constructor smithy wants (plain or keyed SHA-256), backed by node:crypto. */
class NodeSha256 {
  readonly #h: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#h.digest());
  }
}

/** Decoded query object for smithy from a raw (wire) query string. */
function queryObject(rawQuery: string): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {};
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const prev = q[k];
    q[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return q;
}

interface Case {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  region: string;
  now: Date;
  creds?: Credentials;
}

/** Signs with smithy; returns the request as Node's server would present it to us. */
async function smithySign(c: Case, opts: { applyChecksum?: boolean } = {}): Promise<HttpRequestParts> {
  const signer = new SignatureV4({
    credentials: c.creds ?? CREDS,
    region: c.region,
    service: 'kms',
    sha256: NodeSha256,
    applyChecksum: opts.applyChecksum ?? false,
  });
  const q = c.path.indexOf('?');
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: c.headers.host ?? 'kms.local',
      path: q < 0 ? c.path : c.path.slice(0, q),
      query: q < 0 ? {} : queryObject(c.path.slice(q + 1)),
      headers: { ...c.headers },
      body: c.body,
    },
    { signingDate: c.now },
  );
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  return { method: 'POST', path: c.path, headers, body: c.body };
}

function ourSign(c: Case, opts: { contentSha256?: boolean } = {}): HttpRequestParts {
  const req: HttpRequestParts = { method: 'POST', path: c.path, headers: c.headers, body: c.body };
  return { ...req, headers: { ...c.headers, ...signRequest(req, c.creds ?? CREDS, c.region, 'kms', c.now, opts) } };
}

function authenticate(req: HttpRequestParts, secret: string, now: Date): ParsedAuthorization {
  const auth = parseAuthorization(req, { now });
  verifySignature(req, auth, new SigningKeys(secret));
  return auth;
}

/** Trent's KmsError `type` with `message`, answered with HTTP 400. */
function throwsKms(fn: () => unknown, type: string, message: string): void {
  assert.equal(throws(fn, type, message).status, 400);
}

const KMS_HEADERS = {
  host: 'kms.us-east-1.amazonaws.com',
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'TrentService.Encrypt',
};

const CASES: Case[] = [
  { path: '/', headers: KMS_HEADERS, body: Buffer.from('{"KeyId":"alias/a","Plaintext":"aGVsbG8="}'), region: 'us-east-1', now: new Date('2024-01-01T00:00:00Z') },
  { path: '/', headers: KMS_HEADERS, body: Buffer.alloc(0), region: 'eu-west-3', now: new Date('2023-12-31T23:59:59.999Z') },
  { path: '/', headers: { ...KMS_HEADERS, host: 'localhost:8080' }, body: randomBytes(65536), region: 'ap-southeast-2', now: new Date('2024-02-29T12:34:56Z') },
  { path: '/', headers: KMS_HEADERS, body: Buffer.from('{"Plaintext":"é✓ 😀"}'), region: 'us-gov-west-1', now: new Date('2025-06-30T08:00:01Z') },
  {
    path: '/',
    headers: { ...KMS_HEADERS, 'x-custom': 'a   b \t c', 'x-amz-target': 'TrentService.Decrypt', 'x-tabs': '\tx\t\ty' },
    body: Buffer.from('{}'),
    region: 'us-east-1',
    now: new Date('2024-01-01T00:00:00Z'),
  },
  { path: '/?b=2&a=1&a=0&A=3', headers: KMS_HEADERS, body: Buffer.from('{}'), region: 'us-west-2', now: new Date('2024-03-10T10:00:00Z') },
  { path: '/x/../y/./z//w?x=%20y&empty=&flag&tilde=~-._&star=*(!)', headers: KMS_HEADERS, body: Buffer.from('{}'), region: 'us-west-2', now: new Date('2024-03-10T10:00:00Z') },
  { path: '/a%20b/c%2Fd/%E2%9C%93/', headers: KMS_HEADERS, body: Buffer.from('{}'), region: 'us-west-2', now: new Date('2024-03-10T10:00:00Z') },
  {
    path: '/',
    headers: KMS_HEADERS,
    body: Buffer.from('{}'),
    region: 'us-east-1',
    now: new Date('2024-01-01T00:00:00Z'),
    creds: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'c2VjcmV0', sessionToken: 'FwoGZXIvYXdzEBYaDH+/=' },
  },
];

describe('verify what @smithy/signature-v4 signs', () => {
  CASES.forEach((c, i) => {
    test(`case ${i}: ${c.path} ${c.region}`, async () => {
      for (const applyChecksum of [false, true]) {
        const req = await smithySign(c, { applyChecksum });
        const auth = authenticate(req, (c.creds ?? CREDS).secretAccessKey, c.now);
        assert.equal(auth.accessKeyId, (c.creds ?? CREDS).accessKeyId);
        assert.equal(auth.region, c.region);
        assert.equal(auth.service, 'kms');
        assert.equal(auth.sessionToken, c.creds?.sessionToken);
        assert.equal(auth.requestTime.getTime(), Math.floor(c.now.getTime() / 1000) * 1000);
      }
    });
  });

  test('a payload the client left unsigned is refused: the body is what is authorized', async () => {
    const c = CASES[0]!;
    const req = await smithySign({ ...c, headers: { ...c.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    throwsKms(() => authenticate(req, CREDS.secretAccessKey, c.now), 'InvalidSignatureException', MISMATCH);
  });
});

describe('signRequest', () => {
  CASES.forEach((c, i) => {
    test(`case ${i}: byte-for-byte what smithy produces, and verifiable`, async () => {
      for (const contentSha256 of [false, true]) {
        const ours = ourSign(c, { contentSha256 });
        const theirs = await smithySign(c, { applyChecksum: contentSha256 });
        assert.deepEqual(ours.headers, theirs.headers);
        authenticate(ours, (c.creds ?? CREDS).secretAccessKey, c.now);
      }
    });
  });

  test('the AWS SigV4 test suite vector get-vanilla', () => {
    const req: HttpRequestParts = { method: 'GET', path: '/', headers: { host: 'example.amazonaws.com' }, body: Buffer.alloc(0) };
    const added = signRequest(req, CREDS, 'us-east-1', 'service', new Date('2015-08-30T12:36:00Z'));
    assert.deepEqual(added, {
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
  });

  test('hop-by-hop and client headers are left unsigned', () => {
    const c = CASES[0]!;
    const headers = { ...c.headers, 'user-agent': 'bench/1', connection: 'keep-alive', 'proxy-x': '1', expect: '100-continue' };
    const added = signRequest({ method: 'POST', path: '/', headers, body: c.body }, CREDS, 'us-east-1', 'kms', c.now);
    assert.match(added.authorization!, /SignedHeaders=content-type;host;x-amz-date;x-amz-target,/);
  });
});

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const NOW = new Date('2024-01-01T00:10:00Z');
const BASE: Case = { path: '/', headers: KMS_HEADERS, body: Buffer.from('{"KeyId":"k"}'), region: 'us-east-1', now: NOW };

/** A request signed at NOW whose Authorization header is replaced by `authorization` (undefined: removed). */
function withAuth(authorization: string | undefined, extra: Record<string, string | undefined> = {}): HttpRequestParts {
  const req = ourSign(BASE);
  const headers: Record<string, string | undefined> = { ...req.headers, authorization, ...extra };
  return { ...req, headers };
}

/** The Authorization header of a request signed at NOW, with `from` replaced by `to`. */
function authWith(from: string, to: string): string {
  return String(ourSign(BASE).headers.authorization).replace(from, to);
}

describe('AWS errors', () => {
  test('no Authorization header', () => {
    throwsKms(() => parseAuthorization(withAuth(undefined)), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    throwsKms(() => parseAuthorization(withAuth('')), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  });

  test('a non-SigV4 scheme lacks every parameter', () => {
    throwsKms(
      () => parseAuthorization(withAuth('AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=')),
      'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS AKIDEXAMPLE:qaNdqGsI6bq4Hi+9Gzovwyjbh0E=",
    );
  });

  test('missing parameters and missing date, all named at once', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/kms/aws4_request';
    throwsKms(
      () => parseAuthorization(withAuth(auth, { 'x-amz-date': undefined })),
      'IncompleteSignatureException',
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + auth,
    );
  });

  test('a parameter without an equal sign', () => {
    const auth = 'AWS4-HMAC-SHA256 Credential= AKIDEXAMPLE/20240101/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab';
    throwsKms(
      () => parseAuthorization(withAuth(auth)),
      'IncompleteSignatureException',
      `'AKIDEXAMPLE/20240101/us-east-1/kms/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
    );
  });

  test('a date not in basic format', () => {
    const req = ourSign(BASE);
    for (const bad of ['201', '2024-01-01T00:10:00Z', '20240230T000000Z']) {
      throwsKms(
        () => parseAuthorization({ ...req, headers: { ...req.headers, 'x-amz-date': bad } }),
        'IncompleteSignatureException',
        `Date must be in ISO-8601 'basic format'. Got '${bad}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      );
    }
  });

  test('host not signed', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('SignedHeaders=content-type;host;', 'SignedHeaders=content-type;'))),
      'InvalidSignatureException',
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  });

  test('unsupported algorithm', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA25'))),
      'IncompleteSignatureException',
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). ",
    );
  });

  test('credential without five elements', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('/kms/aws4_request', '/kms'))),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20240101/us-east-1/kms'",
    );
  });

  test('wrong service in the scope', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('/kms/', '/dynamodb/'))),
      'InvalidSignatureException',
      "Credential should be scoped to correct service: 'kms'. ",
    );
  });

  test('every scope error at once', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('20240101/us-east-1/kms/aws4_request', '20231231/eu-west-1/s3/aws5_request')), { region: 'us-east-1' }),
      'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'kms'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T001000Z'.",
    );
  });

  test('trailing slashes after the terminator are tolerated', () => {
    const req = ourSign(BASE);
    const auth = String(req.headers.authorization).replace('/aws4_request,', '/aws4_request/,');
    const parsed = parseAuthorization({ ...req, headers: { ...req.headers, authorization: auth } });
    verifySignature(req, parsed, new SigningKeys(CREDS.secretAccessKey));
  });

  test('wrong secret', () => {
    const req = ourSign(BASE);
    throwsKms(() => authenticate(req, CREDS.secretAccessKey + 'x', NOW), 'InvalidSignatureException', MISMATCH);
  });

  test('one bit flipped in the body, a signed header, the date or the signature', () => {
    const req = ourSign(BASE);
    authenticate(req, CREDS.secretAccessKey, NOW);
    const flip = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
    const body = Buffer.from(req.body);
    body[3]! ^= 1;
    const variants: HttpRequestParts[] = [
      { ...req, body },
      { ...req, headers: { ...req.headers, 'x-amz-target': flip(String(req.headers['x-amz-target']), 14) } },
      { ...req, headers: { ...req.headers, host: flip(String(req.headers.host), 0) } },
      { ...req, headers: { ...req.headers, 'x-amz-date': flip(String(req.headers['x-amz-date']), 14) } }, // one second later
      { ...req, headers: { ...req.headers, authorization: flip(String(req.headers.authorization), String(req.headers.authorization).length - 1) } },
      { ...req, path: '/?a=1' },
      { ...req, method: 'PUT' },
    ];
    for (const v of variants) throwsKms(() => authenticate(v, CREDS.secretAccessKey, NOW), 'InvalidSignatureException', MISMATCH);
  });

  test('an unsigned header may change freely', () => {
    const req = ourSign(BASE);
    authenticate({ ...req, headers: { ...req.headers, 'user-agent': 'anything', 'x-unsigned': '1' } }, CREDS.secretAccessKey, NOW);
  });

  test('clock skew: exactly 5 minutes either way is accepted, a second more is not', () => {
    const req = ourSign(BASE); // signed at 00:10:00
    const at = (iso: string) => new Date(iso);
    authenticate(req, CREDS.secretAccessKey, at('2024-01-01T00:15:00.999Z'));
    authenticate(req, CREDS.secretAccessKey, at('2024-01-01T00:05:00Z'));
    throwsKms(
      () => authenticate(req, CREDS.secretAccessKey, at('2024-01-01T00:15:01Z')),
      'InvalidSignatureException',
      'Signature expired: 20240101T001000Z is now earlier than 20240101T001001Z (20240101T001501Z - 5 min.)',
    );
    throwsKms(
      () => authenticate(req, CREDS.secretAccessKey, at('2024-01-01T00:04:59Z')),
      'InvalidSignatureException',
      'Signature not yet current: 20240101T001000Z is still later than 20240101T000959Z (20240101T000459Z + 5 min.)',
    );
    // The allowed skew is the caller's to set.
    throwsKms(
      () => parseAuthorization(req, { now: at('2024-01-01T00:20:00Z'), maxSkewMs: 60_000 }),
      'InvalidSignatureException',
      'Signature expired: 20240101T001000Z is now earlier than 20240101T001900Z (20240101T002000Z - 1 min.)',
    );
  });

  test('skew is judged before the host rule, as AWS orders it', () => {
    throwsKms(
      () => parseAuthorization(withAuth(authWith('content-type;host;', 'content-type;')), { now: new Date('2024-01-02T00:00:00Z') }),
      'InvalidSignatureException',
      'Signature expired: 20240101T001000Z is now earlier than 20240101T235500Z (20240102T000000Z - 5 min.)',
    );
  });

  test('a Date header in HTTP-date form stands in for x-amz-date', () => {
    // smithy always uses x-amz-date, so build this one from the core's parts.
    const headers = { ...KMS_HEADERS, date: 'Mon, 01 Jan 2024 00:10:00 GMT' };
    const req: HttpRequestParts = { method: 'POST', path: '/', headers, body: BASE.body };
    const signed = ['content-type', 'date', 'host', 'x-amz-target'];
    const scope = credentialScope('20240101', 'us-east-1', 'kms');
    const toSign = stringToSign('20240101T001000Z', scope, canonicalRequest(req, signed, sha256Hex(req.body)));
    const signature = computeSignature(signingKey(CREDS.secretAccessKey, '20240101', 'us-east-1', 'kms'), toSign);
    const authorization = `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`;
    const parsed = authenticate({ ...req, headers: { ...headers, authorization } }, CREDS.secretAccessKey, NOW);
    assert.equal(parsed.requestTime.toISOString(), '2024-01-01T00:10:00.000Z');
  });
});
