/**
 * The port through which operations reach an external key store proxy (XKS proxy API v1). Handlers and the
 * envelope speak only this interface; the server wires an HTTPS client (src/xks/client.ts) behind it, so
 * nothing in ops knows how the proxy is reached.
 */

/** Where a proxy is and how to sign for it: a store's settings with its secret unwrapped. */
export interface XksProxyTarget {
  readonly uriEndpoint: string;
  readonly uriPath: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The Region of the calling KMS: the SigV4 scope's. */
  readonly region: string;
}

/** requestMetadata of the spec: what the proxy may log and authorize on. */
export interface XksRequestMetadata {
  readonly kmsRequestId: string;
  readonly kmsOperation: string;
  readonly awsPrincipalArn?: string | undefined;
  readonly kmsKeyArn?: string | undefined;
}

export interface XksHealth {
  readonly fleetSize: number;
  /** healthStatus of each external key manager: ACTIVE, DEGRADED or UNAVAILABLE. */
  readonly ekmStatuses: readonly string[];
}

export interface XksKeyMetadata {
  readonly keySpec: string;
  readonly keyUsage: readonly string[];
  readonly keyStatus: string;
}

/** What the proxy's Encrypt returns, and its Decrypt takes back. */
export interface XksSealed {
  readonly ciphertext: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly metadata?: Buffer | undefined;
}

/**
 * Why a proxy call failed: an errorName the proxy answered (the spec's error table), or what went wrong before
 * an answer (no TCP connection, no TLS session, no answer in time, an answer that is not the spec's).
 */
export type XksFailure =
  | 'ValidationException' | 'InvalidStateException' | 'InvalidCiphertextException' | 'InvalidKeyUsageException'
  | 'AuthenticationFailedException' | 'AccessDeniedException' | 'KeyNotFoundException' | 'InvalidUriPathException'
  | 'ThrottlingException' | 'UnsupportedOperationException' | 'DependencyTimeoutException' | 'InternalException'
  | 'Unreachable' | 'TlsFailure' | 'Timeout' | 'InvalidResponse';

export class XksCallError extends Error {
  constructor(readonly failure: XksFailure, detail: string) {
    super(detail);
  }
}

export interface XksProxy {
  getHealthStatus(target: XksProxyTarget, meta: XksRequestMetadata): Promise<XksHealth>;
  getKeyMetadata(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata): Promise<XksKeyMetadata>;
  /** Asks for a ciphertextDataIntegrityValue and checks it: a mismatch is an InvalidResponse. */
  encrypt(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata, plaintext: Buffer, aad: Buffer): Promise<XksSealed>;
  decrypt(target: XksProxyTarget, xksKeyId: string, meta: XksRequestMetadata, sealed: XksSealed, aad: Buffer): Promise<Buffer>;
}
