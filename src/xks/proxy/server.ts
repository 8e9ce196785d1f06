import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAuthorization, verifySignature } from '../../protocol/authenticate.js';
import { SigningKeys } from '../../util/sigv4.js';
import { XKS_ERRORS, XKS_SERVICE, type KeyOperation, type XksErrorName } from '../wire.js';
import type { KeyFile, KeyUsage, ProxyKey } from './key-file.js';

/**
 * Trent's XKS proxy: the XKS proxy API v1 over HTTPS for the keys of a KeyFile, so that AWS KMS (or Trent)
 * can use them as an external key store. One URI path prefix (`<prefix>/kms/xks/v1`); requests SigV4-signed
 * for kms-xks-proxy with one of the file's credentials; answers as compact JSON. Each request is logged as one
 * JSON line with its kmsRequestId, operation, outcome and latency; never a plaintext, a key or a secret.
 */
export interface ProxyOptions {
  readonly host: string;
  readonly port: number;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Non-empty, e.g. /tenant-1: the proxy answers under /tenant-1/kms/xks/v1 only. */
  readonly uriPrefix: string;
  /** Requests per second the prefix accepts before ThrottlingException; unlimited when absent. */
  readonly maxRps?: number | undefined;
  readonly log?: (line: string) => void;
}

/** Sizes beyond the spec's minimums (4,300 bytes of plaintext, 8,192 of AAD) that this proxy still takes. */
const MAX_DATA_BYTES = 65_536;
/** The key manager's AAD carries the AAD's length in two bytes. */
const MAX_AAD_BYTES = 65_535;
const MAX_BODY_BYTES = 256 * 1024;
const MAX_METADATA_BYTES = 20;
const MAX_SKEW_MS = 5 * 60 * 1000;
const VENDOR = 'Trent';

class XksError extends Error {
  constructor(readonly errorName: XksErrorName, message: string) {
    super(message);
  }
}

interface Route {
  readonly operation: 'GetHealthStatus' | 'GetKeyMetadata' | 'Encrypt' | 'Decrypt';
  readonly keyId?: string;
}

export function checkUriPrefix(prefix: string): void {
  if (!/^(\/[A-Za-z0-9_-]+)+$/.test(prefix) || `${prefix}/kms/xks/v1`.length > 128) {
    throw new Error(`the URI prefix must be non-empty, start with /, and use only A-Z a-z 0-9 / _ - (with /kms/xks/v1, at most 128 characters): ${prefix}`);
  }
}

export async function startXksProxy(keys: KeyFile, options: ProxyOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  checkUriPrefix(options.uriPrefix);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const base = `${options.uriPrefix}/kms/xks/v1`;
  const rate = { second: 0, count: 0 };
  const server = createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2' }, (req, res) => {
    const started = performance.now();
    const entry: Record<string, unknown> = { time: new Date().toISOString(), method: req.method, path: req.url };
    void handle(req, entry).then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        const error = e instanceof XksError ? e : new XksError('InternalException', 'The proxy failed to process the request.');
        if (!(e instanceof XksError)) entry.internalError = e instanceof Error ? e.message : String(e);
        entry.errorName = error.errorName;
        send(res, req.method === 'POST' || error.errorName === 'InvalidUriPathException' ? XKS_ERRORS[error.errorName] : 405,
          { errorName: error.errorName, errorMessage: error.message });
      },
    ).finally(() => {
      entry.status = res.statusCode;
      entry.latencyMs = Math.round((performance.now() - started) * 10) / 10;
      log(JSON.stringify(entry));
    });
  });

  async function handle(req: IncomingMessage, entry: Record<string, unknown>): Promise<unknown> {
    const route = routeOf(base, req.url ?? '');
    entry.operation = route.operation;
    if (route.keyId !== undefined) entry.externalKeyId = route.keyId;
    if (req.method !== 'POST') throw new XksError('ValidationException', 'XKS proxy API requests are POSTs.');
    const body = await readBody(req);
    authenticate(req, body);
    throttle();
    const payload = parseObject(body);
    const meta = requestMetadataOf(payload, route.operation);
    entry.kmsRequestId = meta.kmsRequestId;
    entry.kmsOperation = meta.kmsOperation;
    if (typeof meta.awsPrincipalArn === 'string') entry.awsPrincipalArn = meta.awsPrincipalArn;
    if (typeof meta.kmsKeyArn === 'string') entry.kmsKeyArn = meta.kmsKeyArn;
    if (route.operation === 'GetHealthStatus') return health();
    const key = keyFor(route.keyId!, meta.awsPrincipalArn);
    if (route.operation === 'GetKeyMetadata') {
      return { keySpec: 'AES_256', keyUsage: key.usages, keyStatus: key.enabled ? 'ENABLED' : 'DISABLED' };
    }
    if (!key.enabled) throw new XksError('InvalidStateException', `The external key ${key.id} is disabled.`);
    return route.operation === 'Encrypt' ? encrypt(key, payload) : decrypt(key, payload);
  }

  function authenticate(req: IncomingMessage, body: Buffer): void {
    const parts = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    let credentials;
    try {
      credentials = keys.credentials();
    } catch (e) {
      throw new XksError('InternalException', `The proxy cannot read its key store: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const auth = parseAuthorization(parts, { service: XKS_SERVICE, now: new Date(), maxSkewMs: MAX_SKEW_MS });
      if (!auth.signedHeaders.includes('host') || !auth.signedHeaders.includes('x-amz-date')) throw new Error('host and x-amz-date must be signed');
      const credential = credentials.find((c) => c.accessKeyId === auth.accessKeyId);
      if (!credential) throw new Error('unknown access key ID');
      verifySignature(parts, auth, new SigningKeys(keys.secretAccessKeyOf(credential)));
    } catch {
      throw new XksError('AuthenticationFailedException', 'The request signature is not valid for any credential of this proxy.');
    }
  }

  function throttle(): void {
    if (options.maxRps === undefined) return;
    const second = Math.floor(Date.now() / 1000);
    if (second !== rate.second) Object.assign(rate, { second, count: 0 });
    if (++rate.count > options.maxRps) throw new XksError('ThrottlingException', 'The request rate of this URI path prefix is too high.');
  }

  function keyFor(keyId: string, principal: unknown): ProxyKey {
    let key: ProxyKey | undefined;
    try {
      key = keys.key(keyId);
    } catch (e) {
      throw new XksError('InternalException', `The proxy cannot read its key store: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!key) throw new XksError('KeyNotFoundException', `The external key ${keyId} does not exist.`);
    if (key.allowedPrincipals.length > 0 && !key.allowedPrincipals.includes(String(principal))) {
      throw new XksError('AccessDeniedException', `The principal is not allowed to use the external key ${keyId}.`);
    }
    return key;
  }

  /** Deep: the key store is readable and AES-GCM works, with a key made for the check (never a KMS key's). */
  function health(): unknown {
    let status = 'ACTIVE';
    try {
      keys.keys();
      const probe = randomBytes(32);
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', probe, iv);
      const ct = Buffer.concat([c.update('health'), c.final()]);
      const d = createDecipheriv('aes-256-gcm', probe, iv);
      d.setAuthTag(c.getAuthTag());
      if (Buffer.concat([d.update(ct), d.final()]).toString() !== 'health') status = 'UNAVAILABLE';
    } catch {
      status = 'UNAVAILABLE';
    }
    return {
      xksProxyFleetSize: 1, xksProxyVendor: VENDOR, xksProxyModel: 'Trent XKS proxy 0.1.0', ekmVendor: VENDOR,
      ekmFleetDetails: [{ id: 'trent-key-file', model: 'Trent encrypted key file (AES-256-GCM)', healthStatus: status }],
    };
  }

  function encrypt(key: ProxyKey, p: Record<string, unknown>): unknown {
    requireUsage(key, 'ENCRYPT');
    checkAlgorithm(p);
    const plaintext = base64Member(p, 'plaintext', true, MAX_DATA_BYTES)!;
    const aad = base64Member(p, 'additionalAuthenticatedData', false, MAX_AAD_BYTES);
    const cdivAlgorithm = p.ciphertextDataIntegrityValueAlgorithm;
    if (cdivAlgorithm !== undefined && cdivAlgorithm !== 'SHA_256') {
      throw new XksError('ValidationException', 'ciphertextDataIntegrityValueAlgorithm must be SHA_256.');
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.secretOf(key), iv);
    cipher.setAAD(gcmAad(aad, undefined));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    const out: Record<string, string> = {
      ciphertext: ciphertext.toString('base64'), initializationVector: iv.toString('base64'), authenticationTag: tag.toString('base64'),
    };
    if (cdivAlgorithm !== undefined) {
      out.ciphertextDataIntegrityValue = createHash('sha256').update(aad ?? Buffer.alloc(0)).update(iv).update(ciphertext).update(tag).digest('base64');
    }
    return out;
  }

  function decrypt(key: ProxyKey, p: Record<string, unknown>): unknown {
    requireUsage(key, 'DECRYPT');
    checkAlgorithm(p);
    const ciphertext = base64Member(p, 'ciphertext', true, MAX_DATA_BYTES)!;
    const aad = base64Member(p, 'additionalAuthenticatedData', false, MAX_AAD_BYTES);
    const metadata = base64Member(p, 'ciphertextMetadata', false, MAX_METADATA_BYTES);
    const iv = base64Member(p, 'initializationVector', true, 16)!;
    const tag = base64Member(p, 'authenticationTag', true, 16)!;
    if (iv.length !== 12 && iv.length !== 16) throw new XksError('ValidationException', 'initializationVector must be 12 or 16 bytes.');
    if (tag.length !== 16) throw new XksError('ValidationException', 'authenticationTag must be 16 bytes.');
    try {
      const decipher = createDecipheriv('aes-256-gcm', keys.secretOf(key), iv);
      decipher.setAAD(gcmAad(aad, metadata));
      decipher.setAuthTag(tag);
      const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
      return { plaintext: plaintext.toString('base64') };
    } catch {
      throw new XksError('InvalidCiphertextException', 'The ciphertext, initialization vector, additional authenticated data or authentication tag is invalid.');
    }
  }

  // Clients keep connections open between calls (AWS KMS does, Trent's client drops its idle ones after 30 s):
  // closing an idle one first would race a request sent on it.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 70_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

/** The operation a path names, or InvalidUriPathException for any path outside the prefix's four. */
function routeOf(base: string, url: string): Route {
  const path = url.split('?')[0]!;
  if (path === `${base}/health`) return { operation: 'GetHealthStatus' };
  if (path.startsWith(`${base}/keys/`)) {
    const m = /^([A-Za-z0-9._-]{1,128})\/(metadata|encrypt|decrypt)$/.exec(path.slice(`${base}/keys/`.length));
    if (m) {
      const op: Record<KeyOperation, Route['operation']> = { metadata: 'GetKeyMetadata', encrypt: 'Encrypt', decrypt: 'Decrypt' };
      return { operation: op[m[2] as KeyOperation], keyId: m[1]! };
    }
  }
  throw new XksError('InvalidUriPathException', 'The URI path is not valid for this proxy.');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new XksError('UnsupportedOperationException', `The request body exceeds the ${MAX_BODY_BYTES} bytes this proxy accepts.`));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseObject(body: Buffer): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    throw new XksError('ValidationException', 'The request body is not JSON.');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new XksError('ValidationException', 'The request body is not a JSON object.');
  return v as Record<string, unknown>;
}

/** requestMetadata with the members the operation requires (the spec's REQUIRED fields), each a string. */
function requestMetadataOf(p: Record<string, unknown>, op: Route['operation']): Record<string, unknown> {
  const meta = p.requestMetadata;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new XksError('ValidationException', 'requestMetadata is required.');
  const m = meta as Record<string, unknown>;
  const required = op === 'GetHealthStatus' ? ['kmsRequestId', 'kmsOperation']
    : op === 'GetKeyMetadata' ? ['awsPrincipalArn', 'kmsOperation', 'kmsRequestId']
      : ['awsPrincipalArn', 'kmsKeyArn', 'kmsOperation', 'kmsRequestId'];
  for (const name of required) {
    if (typeof m[name] !== 'string' || (m[name] as string).length === 0) throw new XksError('ValidationException', `requestMetadata.${name} is required.`);
  }
  for (const [name, value] of Object.entries(m)) {
    if (typeof value !== 'string') throw new XksError('ValidationException', `requestMetadata.${name} must be a string.`);
  }
  return m;
}

function checkAlgorithm(p: Record<string, unknown>): void {
  if (p.encryptionAlgorithm !== 'AES_GCM') throw new XksError('ValidationException', 'encryptionAlgorithm must be AES_GCM.');
}

function requireUsage(key: ProxyKey, usage: KeyUsage): void {
  if (!key.usages.includes(usage)) throw new XksError('InvalidKeyUsageException', `The external key ${key.id} does not allow ${usage}.`);
}

/** A base64 member: absent is undefined (or ValidationException when required); too large is UnsupportedOperationException. */
function base64Member(p: Record<string, unknown>, name: string, required: boolean, max: number): Buffer | undefined {
  const v = p[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw new XksError('ValidationException', `${name} must be ${required ? 'given in ' : ''}base64.`);
  }
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length > max) {
    if (name === 'plaintext' || name === 'ciphertext' || name === 'additionalAuthenticatedData') {
      throw new XksError('UnsupportedOperationException', `${name} exceeds the ${max} bytes this proxy supports.`);
    }
    throw new XksError('ValidationException', `${name} is longer than ${max} bytes.`);
  }
  return bytes;
}

/** The spec's AAD for the key manager: 2-byte length ‖ AAD ‖ 1-byte length ‖ ciphertextMetadata. */
function gcmAad(aad: Buffer | undefined, metadata: Buffer | undefined): Buffer {
  const a = aad ?? Buffer.alloc(0);
  const m = metadata ?? Buffer.alloc(0);
  const out = Buffer.alloc(2 + a.length + 1 + m.length);
  out.writeUInt16BE(a.length, 0);
  a.copy(out, 2);
  out.writeUInt8(m.length, 2 + a.length);
  m.copy(out, 3 + a.length);
  return out;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
