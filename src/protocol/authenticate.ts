/**
 * Server-side SigV4 verification, in the order and with the words AWS's JSON services use:
 * missing token → malformed header → date format → clock skew → host signed → algorithm →
 * credential shape → credential scope → (caller looks the key up) → signature.
 * Only the Authorization header is accepted; presigned query-string authentication is not.
 */
import { timingSafeEqual } from 'node:crypto';
import { KmsError } from '../model/errors.js';
import {
  ALGORITHM,
  SCOPE_TERMINATOR,
  canonicalRequest,
  computeSignature,
  credentialScope,
  sha256Hex,
  stringToSign,
  toAmzDate,
  type HttpRequestParts,
  type SigningKeys,
} from '../util/sigv4.js';

export interface ParsedAuthorization {
  accessKeyId: string;
  /** yyyymmdd from the credential scope (checked equal to the request's date). */
  date: string;
  region: string;
  service: string;
  /** Lower-case, in the client's order. */
  signedHeaders: string[];
  signature: string;
  requestTime: Date;
  /** The request time in SigV4's basic format, as signed (computed once: the string to sign needs it). */
  amzDate: string;
  /** x-amz-security-token, if sent; the caller decides whether it knows it. */
  sessionToken?: string;
}

export interface ParseOptions {
  /** Service the scope must name. Default 'kms'. */
  service?: string;
  /** Region the scope must name; when absent any well-formed region is accepted (dev posture). */
  region?: string;
  /** When given, the clock skew is checked here, at the point AWS checks it (before the key lookup). */
  now?: Date;
  maxSkewMs?: number;
}

const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const incomplete = (message: string) => new KmsError('IncompleteSignatureException', message);
const invalid = (message: string) => new KmsError('InvalidSignatureException', message);

function headerValue(req: HttpRequestParts, name: string): string | undefined {
  const v = req.headers[name];
  return typeof v === 'string' ? v : v?.[0];
}

const BASIC_FORMAT = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// RFC 7231 IMF-fixdate, what a `Date` header carries when a client signs with it instead of x-amz-date.
const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function parseRequestTime(value: string, isDateHeader: boolean): Date | undefined {
  const m = BASIC_FORMAT.exec(value);
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
    const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    // Date.UTC rolls 20240230 over to March (and 25:00 into the next day): such impossible dates are refused.
    const exact = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day &&
      d.getUTCHours() === hour && d.getUTCMinutes() === minute && d.getUTCSeconds() === second;
    return exact ? d : undefined;
  }
  if (isDateHeader && IMF_FIXDATE.test(value)) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : new Date(ms);
  }
  return undefined;
}

/**
 * parseRequestTime, remembering its last answer: the requests of one second all carry the same time, so on a
 * busy server nearly every request is answered from here. The Date is shared: it is only read.
 */
let lastTime: { value: string; isDateHeader: boolean; time: Date | undefined } | undefined;
function recentRequestTime(value: string, isDateHeader: boolean): Date | undefined {
  if (lastTime?.value !== value || lastTime.isDateHeader !== isDateHeader) {
    const time = parseRequestTime(value, isDateHeader);
    lastTime = { value, isDateHeader, time };
  }
  return lastTime.time;
}

/** "5 min" for whole minutes, as AWS words it; seconds otherwise. */
function skewLabel(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} sec`;
}

/** Rejects a request time outside now ± maxSkewMs with AWS's "Signature expired" / "not yet current" messages. */
function checkRequestTime(requestTime: Date, now: Date, maxSkewMs = DEFAULT_MAX_SKEW_MS): void {
  const t = requestTime.getTime();
  // Request times have whole seconds; judging (and printing) now at the same grain keeps the
  // window exact and the message's arithmetic visibly right.
  const n = Math.floor(now.getTime() / 1000) * 1000;
  if (t < n - maxSkewMs) {
    throw invalid(
      `Signature expired: ${toAmzDate(requestTime)} is now earlier than ${toAmzDate(new Date(n - maxSkewMs))} ` +
        `(${toAmzDate(new Date(n))} - ${skewLabel(maxSkewMs)}.)`,
    );
  }
  if (t > n + maxSkewMs) {
    throw invalid(
      `Signature not yet current: ${toAmzDate(requestTime)} is still later than ${toAmzDate(new Date(n + maxSkewMs))} ` +
        `(${toAmzDate(new Date(n))} + ${skewLabel(maxSkewMs)}.)`,
    );
  }
}

const REGION = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The access key ID an Authorization header names, however malformed the rest: for the audit record of a
 * request whose authentication failed, so the trail says which key was tried.
 */
export function claimedAccessKeyId(req: HttpRequestParts): string | undefined {
  const auth = headerValue(req, 'authorization');
  return auth ? /Credential=([^/,\s]{1,128})/.exec(auth)?.[1] : undefined;
}

/** Parses the Authorization header (and x-amz-date / date). Throws KmsError as AWS does when it is missing or malformed. */
export function parseAuthorization(req: HttpRequestParts, opts: ParseOptions = {}): ParsedAuthorization {
  // Two Authorization headers are refused rather than one picked: a proxy and the client would disagree on which counts.
  if (Array.isArray(req.headers.authorization)) throw incomplete('The request has more than one Authorization header.');
  const auth = headerValue(req, 'authorization');
  if (!auth) throw new KmsError('MissingAuthenticationTokenException', 'Missing Authentication Token');

  // "<algorithm> Key=value, Key=value, ..." — AWS splits the parameters on commas and whitespace.
  // A header that is not some AWS4- scheme (SigV2's "AWS id:sig", a bearer token) yields no
  // parameters at all, hence the "requires 'Credential' parameter..." answer AWS gives for it.
  const trimmed = auth.trim();
  const algorithm = trimmed.split(/\s/, 1)[0]!;
  const params = new Map<string, string>();
  if (algorithm.startsWith('AWS4-')) {
    for (const token of trimmed.slice(algorithm.length).split(/[\s,]+/)) {
      if (token === '') continue;
      const eq = token.indexOf('=');
      if (eq < 0) throw incomplete(`'${token}' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`);
      const key = token.slice(0, eq);
      if (!params.has(key)) params.set(key, token.slice(eq + 1));
    }
  }

  const credential = params.get('Credential');
  const signature = params.get('Signature');
  const signedHeadersParam = params.get('SignedHeaders'); // may be empty: the host rule below answers that
  const amzDateHeader = headerValue(req, 'x-amz-date');
  const dateValue = amzDateHeader ?? headerValue(req, 'date');
  let missing = '';
  if (!credential) missing += "Authorization header requires 'Credential' parameter. ";
  if (!signature) missing += "Authorization header requires 'Signature' parameter. ";
  if (signedHeadersParam === undefined) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!dateValue) missing += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  if (!credential || !signature || signedHeadersParam === undefined || !dateValue) throw incomplete(missing + 'Authorization=' + auth);

  const requestTime = recentRequestTime(dateValue, amzDateHeader === undefined);
  if (!requestTime) throw incomplete(`Date must be in ISO-8601 'basic format'. Got '${dateValue}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  if (opts.now) checkRequestTime(requestTime, opts.now, opts.maxSkewMs);

  const signedHeaders = signedHeadersParam === '' ? [] : signedHeadersParam.toLowerCase().split(';');
  if (!signedHeaders.includes('host') && !signedHeaders.includes(':authority')) {
    throw invalid("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  if (algorithm !== ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}' (only ${ALGORITHM} for now). `);

  // Trailing slashes are tolerated by AWS ("key/date/region/service/aws4_request/").
  const parts = credential.replace(/\/+$/, '').split('/');
  if (parts.length !== 5) {
    throw incomplete(`Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`);
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  const expectedService = opts.service ?? 'kms';
  const amzDate = amzDateHeader ?? toAmzDate(requestTime);
  let scopeErrors = '';
  if (opts.region !== undefined ? region !== opts.region : !REGION.test(region)) {
    scopeErrors += `Credential should be scoped to a valid region, not '${region}'. `;
  }
  if (service !== expectedService) scopeErrors += `Credential should be scoped to correct service: '${expectedService}'. `;
  if (terminator !== SCOPE_TERMINATOR) {
    scopeErrors += `Credential should be scoped with a valid terminator: '${SCOPE_TERMINATOR}', not '${terminator}'. `;
  }
  if (date !== amzDate.slice(0, 8)) {
    scopeErrors +=
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ` +
      `'${date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`;
  }
  if (scopeErrors) throw invalid(scopeErrors);

  const parsed: ParsedAuthorization = { accessKeyId, date, region, service, signedHeaders, signature, requestTime, amzDate };
  const sessionToken = headerValue(req, 'x-amz-security-token');
  if (sessionToken !== undefined) parsed.sessionToken = sessionToken;
  return parsed;
}

/**
 * Refuses a request carrying an x-amz-* header or Content-Type that its signature does not cover. SigV4 signs only
 * the headers the client lists, so an unlisted X-Amz-Target could be changed in a captured request (a DescribeKey
 * replayed as ScheduleKeyDeletion) without breaking the signature. The AWS SDKs and CLI sign every header they
 * send but User-Agent and a few hop-by-hop ones, so they always pass. Called in serve only: dev checks no signature.
 */
export function requireSignedHeaders(req: HttpRequestParts, auth: ParsedAuthorization): void {
  for (const name in req.headers) {
    if ((name === 'content-type' || name.startsWith('x-amz-')) && !auth.signedHeaders.includes(name)) {
      throw invalid(`The header '${name}' must be signed: list it in the Authorization header's SignedHeaders.`);
    }
  }
}

/**
 * Verifies the signature against the secret's signing keys in constant time. Throws KmsError as AWS does.
 * The request time is not checked again here: parseAuthorization checks it when given `now`, at the point AWS
 * does (before the key lookup), which a server must do.
 *
 * The payload hash is always SHA-256 of the body actually received: an x-amz-content-sha256 header
 * (even UNSIGNED-PAYLOAD) is never trusted in its place, because the body is what is being authorized.
 */
export function verifySignature(
  req: HttpRequestParts,
  auth: ParsedAuthorization,
  keys: SigningKeys,
): void {
  const canonical = canonicalRequest(req, auth.signedHeaders, sha256Hex(req.body));
  const scope = credentialScope(auth.date, auth.region, auth.service);
  const expected = Buffer.from(
    computeSignature(keys.for(auth.date, auth.region, auth.service), stringToSign(auth.amzDate, scope, canonical)),
    'latin1',
  );
  const provided = Buffer.from(auth.signature, 'latin1');
  // Length is public (always 64 hex digits for a real signature); only the content needs constant time.
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) throw invalid(SIGNATURE_MISMATCH);
}
