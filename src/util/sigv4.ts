/**
 * The one SigV4 (AWS4-HMAC-SHA256) core: canonical request, string to sign, signing key, signature.
 * Signing (benchmark client, tests) and verifying (protocol/authenticate.ts) both build the canonical
 * request here, so the two cannot drift apart.
 *
 * Canonicalization follows the SigV4 rules for services other than S3: the path is normalized and
 * encoded once more on top of its wire encoding, the query is re-encoded and sorted, header values
 * are trimmed with inner runs of spaces collapsed, and the payload hash is always SHA-256 of the body.
 */
import { createHmac, hash } from 'node:crypto';
import { LruMap } from './lru.js';

export interface HttpRequestParts {
  method: string;
  /** Raw path including the query string, as Node's req.url (still percent-encoded as on the wire). */
  path: string;
  /** Node's req.headers: names already lowercased. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';

/** yyyymmddThhmmssZ, the "basic format" timestamp SigV4 signs. */
export function toAmzDate(d: Date): string {
  const iso = d.toISOString(); // 2024-01-01T00:00:00.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
}

/** One-shot: half the cost of a Hash object, on every request's body and canonical request. */
export function sha256Hex(data: Buffer | string): string {
  return hash('sha256', data, 'hex');
}

/** AWS's UriEncode: everything but RFC 3986 unreserved characters as %XX (upper-case hex, UTF-8). */
export function uriEncode(s: string): string {
  // encodeURIComponent leaves !'()* alone; SigV4 wants them encoded.
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Canonical URI: drop empty and '.' segments, resolve '..', then encode each raw (already
 * wire-encoded) segment again, which is the double encoding non-S3 services expect.
 */
export function canonicalPath(rawPath: string): string {
  if (rawPath === '/') return '/'; // every KMS request
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return '/' + segments.join('/') + trailing;
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // malformed escapes are signed as sent; the signature will simply not match
  }
}

/** Canonical query: each name and value decoded then re-encoded, sorted by name, then by value. */
export function canonicalQuery(rawQuery: string): string {
  if (rawQuery === '') return '';
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    pairs.push([uriEncode(decodeComponent(name)), uriEncode(decodeComponent(value))]);
  }
  // Encoded strings are ASCII, so code-unit order is the byte order the spec asks for.
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => n + '=' + v).join('&');
}

const UNTRIMMED = /\t| {2}|^ | $/;

function trimAll(v: string): string {
  if (!UNTRIMMED.test(v)) return v; // the usual case, tested once instead of rewritten twice
  return v.replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** Header value as signed: trimmed, inner whitespace runs collapsed, repeated values comma-joined. */
export function canonicalHeaderValue(v: string | readonly string[] | undefined): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? trimAll(v) : v.map(trimAll).join(',');
}

/**
 * The canonical request for `signedHeaders` (lower-case names, in the order given: the signer passes
 * them sorted, the verifier passes the client's list). `payloadHash` is the hex SHA-256 of the body.
 */
export function canonicalRequest(req: HttpRequestParts, signedHeaders: readonly string[], payloadHash: string): string {
  const q = req.path.indexOf('?');
  const rawPath = q < 0 ? req.path : req.path.slice(0, q);
  const rawQuery = q < 0 ? '' : req.path.slice(q + 1);
  let headerLines = '';
  // Own properties only: a signed header named `constructor` that was not sent is absent, not Object's.
  for (const name of signedHeaders) {
    headerLines += name + ':' + canonicalHeaderValue(Object.hasOwn(req.headers, name) ? req.headers[name] : undefined) + '\n';
  }
  return (
    req.method + '\n' +
    canonicalPath(rawPath) + '\n' +
    canonicalQuery(rawQuery) + '\n' +
    headerLines + '\n' +
    signedHeaders.join(';') + '\n' +
    payloadHash
  );
}

export function credentialScope(date: string, region: string, service: string): string {
  return date + '/' + region + '/' + service + '/' + SCOPE_TERMINATOR;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + sha256Hex(canonical);
}

/** kSigning = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request". */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  let key = createHmac('sha256', 'AWS4' + secretAccessKey).update(date).digest();
  key = createHmac('sha256', key).update(region).digest();
  key = createHmac('sha256', key).update(service).digest();
  return createHmac('sha256', key).update(SCOPE_TERMINATOR).digest();
}

/**
 * The signing keys of one secret, each derived once: deriving costs four HMACs, and a secret is used with
 * few (day, Region, service) scopes. Held by whoever holds the secret (the server's cached access key), so
 * they go when it goes; never a table keyed by secrets that outlives them.
 */
export class SigningKeys {
  private readonly keys = new LruMap<string, Buffer>(16);

  constructor(private readonly secretAccessKey: string) {}

  for(date: string, region: string, service: string): Buffer {
    const scope = credentialScope(date, region, service);
    let key = this.keys.get(scope);
    if (!key) {
      key = signingKey(this.secretAccessKey, date, region, service);
      this.keys.set(scope, key);
    }
    return key;
  }
}

/** Hex HMAC-SHA256 of the string to sign under the signing key. */
export function computeSignature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign).digest('hex');
}

// Hop-by-hop and client-specific headers a proxy may add, drop or rewrite: signing them would make
// a correctly signed request fail. Same set the AWS SDK's signer leaves out.
const UNSIGNABLE = new Set([
  'authorization', 'cache-control', 'connection', 'expect', 'from', 'keep-alive', 'max-forwards', 'pragma',
  'referer', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'user-agent', 'x-amzn-trace-id',
]);

export interface SignOptions {
  /** Also send and sign x-amz-content-sha256 (the body's hash). Off by default: non-S3 services do not need it. */
  contentSha256?: boolean;
}

/**
 * Headers to add to `req` so that it is SigV4-signed: authorization, x-amz-date, and
 * x-amz-security-token / x-amz-content-sha256 when applicable. Every header already on `req` (which
 * must include host) is signed, except the unsignable ones above.
 */
export function signRequest(
  req: HttpRequestParts,
  creds: Credentials,
  region: string,
  service: string,
  now: Date,
  opts: SignOptions = {},
): Record<string, string> {
  const amzDate = toAmzDate(now);
  const payloadHash = sha256Hex(req.body);
  const added: Record<string, string> = { 'x-amz-date': amzDate };
  if (creds.sessionToken !== undefined) added['x-amz-security-token'] = creds.sessionToken;
  if (opts.contentSha256) added['x-amz-content-sha256'] = payloadHash;

  const headers: Record<string, string | string[] | undefined> = {};
  for (const name in req.headers) {
    const value = req.headers[name];
    const lower = name.toLowerCase();
    if (value !== undefined && !UNSIGNABLE.has(lower) && !lower.startsWith('proxy-') && !lower.startsWith('sec-')) {
      headers[lower] = value;
    }
  }
  Object.assign(headers, added);
  const signedHeaders = Object.keys(headers).sort();

  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, region, service);
  const canonical = canonicalRequest({ method: req.method, path: req.path, headers, body: req.body }, signedHeaders, payloadHash);
  const signature = computeSignature(signingKey(creds.secretAccessKey, date, region, service), stringToSign(amzDate, scope, canonical));
  added.authorization =
    ALGORITHM + ' Credential=' + creds.accessKeyId + '/' + scope + ', SignedHeaders=' + signedHeaders.join(';') + ', Signature=' + signature;
  return added;
}
