import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type {
  XksCallError as XksCallErrorType, XksFailure, XksHealth, XksKeyMetadata, XksProxy, XksProxyTarget, XksRequestMetadata, XksSealed,
} from '../ops/custom-key-stores/xks-port.js';
import { XksCallError } from '../ops/custom-key-stores/xks-port.js';
import { signRequest } from '../util/sigv4.js';
import { XKS_SERVICE, isXksErrorName } from './wire.js';

export interface XksClientOptions {
  /** PEM certificates trusted besides the public CAs (a private CA's). */
  readonly caFile?: string | undefined;
  /** host → where to connect instead of the host's own address at port 443 (as curl's --resolve). */
  readonly resolve?: ReadonlyMap<string, { readonly address: string; readonly port: number }> | undefined;
  /** AWS KMS gives a proxy 250 ms for each call. */
  readonly timeoutMs: number;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|ERR_SSL)/;

/**
 * Trent's client of the XKS proxy API v1: HTTPS (TLS 1.2+) with connections kept alive between calls, each
 * call SigV4-signed for the service kms-xks-proxy with the store's credentials, and abandoned after the
 * timeout. Every failure is an XksCallError naming what went wrong, which ops/custom-key-stores/xks-errors.ts
 * turns into AWS's error for what KMS was doing.
 */
export class XksClient implements XksProxy {
  private readonly agent: Agent;

  constructor(private readonly options: XksClientOptions) {
    const extra = options.caFile ? [readFileSync(options.caFile, 'utf8')] : [];
    // Idle connections are dropped after 30 s, before a proxy's own idle timeout is likely to close them under a request.
    this.agent = new Agent({ keepAlive: true, timeout: 30_000, ca: [...rootCertificates, ...extra], minVersion: 'TLSv1.2' });
  }

  async getHealthStatus(target: XksProxyTarget, meta: XksRequestMetadata): Promise<XksHealth> {
    const body = await this.call(target, '/health', { requestMetadata: meta });
    const fleet = body.ekmFleetDetails;
    if (typeof body.xksProxyFleetSize !== 'number' || body.xksProxyFleetSize < 1 || !Array.isArray(fleet) || fleet.length < 1 || fleet.length > 10
      || !fleet.every((e) => isObject(e) && ['ACTIVE', 'DEGRADED', 'UNAVAILABLE'].includes(e.healthStatus as string))) {
      throw invalid('GetHealthStatus answer without the fields the spec requires');
    }
    return { fleetSize: body.xksProxyFleetSize, ekmStatuses: fleet.map((e) => (e as { healthStatus: string }).healthStatus) };
  }

  async getKeyMetadata(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata): Promise<XksKeyMetadata> {
    const body = await this.call(target, keyPath(xksKeyId, 'metadata'), { requestMetadata: meta });
    if (typeof body.keySpec !== 'string' || typeof body.keyStatus !== 'string' || !Array.isArray(body.keyUsage)
      || !body.keyUsage.every((u) => typeof u === 'string')) {
      throw invalid('GetKeyMetadata answer without keySpec, keyUsage and keyStatus');
    }
    return { keySpec: body.keySpec, keyUsage: body.keyUsage as string[], keyStatus: body.keyStatus };
  }

  async encrypt(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata, plaintext: Buffer, aad: Buffer): Promise<XksSealed> {
    const body = await this.call(target, keyPath(xksKeyId, 'encrypt'), {
      requestMetadata: meta, plaintext: plaintext.toString('base64'), encryptionAlgorithm: 'AES_GCM',
      additionalAuthenticatedData: aad.toString('base64'), ciphertextDataIntegrityValueAlgorithm: 'SHA_256',
    });
    const ciphertext = base64Field(body, 'ciphertext');
    const iv = base64Field(body, 'initializationVector');
    const tag = base64Field(body, 'authenticationTag');
    const metadata = body.ciphertextMetadata === undefined ? undefined : base64Field(body, 'ciphertextMetadata');
    if (ciphertext.length !== plaintext.length) throw invalid('Encrypt answered a ciphertext of another length than the plaintext');
    // The spec's promise that a Decrypt of these values will succeed: checked before the ciphertext is handed out.
    const cdiv = base64Field(body, 'ciphertextDataIntegrityValue');
    const expected = createHash('sha256').update(aad).update(metadata ?? Buffer.alloc(0)).update(iv).update(ciphertext).update(tag).digest();
    if (cdiv.length !== expected.length || !timingSafeEqual(cdiv, expected)) throw invalid('ciphertextDataIntegrityValue does not match');
    return { ciphertext, iv, tag, metadata };
  }

  async decrypt(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata, sealed: XksSealed, aad: Buffer): Promise<Buffer> {
    const body = await this.call(target, keyPath(xksKeyId, 'decrypt'), {
      requestMetadata: meta, ciphertext: sealed.ciphertext.toString('base64'), encryptionAlgorithm: 'AES_GCM',
      additionalAuthenticatedData: aad.toString('base64'), initializationVector: sealed.iv.toString('base64'),
      authenticationTag: sealed.tag.toString('base64'),
      ...(sealed.metadata ? { ciphertextMetadata: sealed.metadata.toString('base64') } : {}),
    });
    const plaintext = base64Field(body, 'plaintext');
    if (plaintext.length !== sealed.ciphertext.length) throw invalid('Decrypt answered a plaintext of another length than the ciphertext');
    return plaintext;
  }

  close(): void {
    this.agent.destroy();
  }

  /** One signed POST; the parsed JSON object of a 200, or the XksCallError of anything else. */
  private call(target: XksProxyTarget, path: string, payload: unknown): Promise<Record<string, unknown>> {
    const host = new URL(target.uriEndpoint).hostname;
    const fullPath = `${target.uriPath}${path}`;
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const headers: Record<string, string> = { host, 'content-type': 'application/json' };
    Object.assign(headers, signRequest({ method: 'POST', path: fullPath, headers, body },
      { accessKeyId: target.accessKeyId, secretAccessKey: target.secretAccessKey }, target.region, XKS_SERVICE, new Date()));
    const to = this.options.resolve?.get(host);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (e: XksCallErrorType) => { if (!settled) { settled = true; reject(e); } };
      const req = request({
        host: to?.address ?? host, port: to?.port ?? 443, servername: host, method: 'POST', path: fullPath, agent: this.agent,
        headers: { ...headers, 'content-length': String(body.length) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => fail(new XksCallError('Unreachable', 'the connection broke during the answer')));
        res.on('end', () => {
          clearTimeout(timer);
          if (settled) return;
          settled = true;
          const parsed = parseJson(Buffer.concat(chunks));
          if (res.statusCode === 200 && parsed) resolve(parsed);
          else if (res.statusCode === 200) reject(invalid('the answer is not a JSON object'));
          else reject(isXksErrorName(parsed?.errorName) ? new XksCallError(parsed.errorName as XksFailure, `HTTP ${res.statusCode}`)
            : invalid(`HTTP ${res.statusCode} without an errorName of the spec`));
        });
      });
      const timer = setTimeout(() => {
        fail(new XksCallError('Timeout', `no answer in ${this.options.timeoutMs} ms`));
        req.destroy();
      }, this.options.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(new XksCallError(TLS_CODES.test(e.code ?? '') ? 'TlsFailure' : 'Unreachable', e.code ?? e.message));
      });
      req.end(body);
    });
  }
}

function keyPath(xksKeyId: string, op: string): string {
  return `/keys/${encodeURIComponent(xksKeyId)}/${op}`;
}

function invalid(detail: string): XksCallError {
  return new XksCallError('InvalidResponse', detail);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A required base64 member of an answer. */
function base64Field(body: Record<string, unknown>, name: string): Buffer {
  const v = body[name];
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) throw invalid(`${name} is missing or not base64`);
  return Buffer.from(v, 'base64');
}
