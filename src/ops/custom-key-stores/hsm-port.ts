/**
 * The port through which operations reach the PKCS#11 token behind an AWS_CLOUDHSM key store. The server wires
 * src/pkcs11/token.ts behind it; handlers and the envelope never see PKCS#11.
 */

/** Why a token call failed, in the terms AWS's ConnectionErrorCode and CloudHsm* errors use. */
export type HsmFailure = 'ClusterNotFound' | 'TokenNotPresent' | 'InvalidPin' | 'PinLocked' | 'KeyNotFound' | 'BadCiphertext' | 'Failed';

export class HsmCallError extends Error {
  constructor(readonly failure: HsmFailure, detail: string) {
    super(detail);
  }
}

export interface HsmSealed {
  readonly iv: Buffer;
  /** The AES-GCM ciphertext followed by its 16-byte tag, as PKCS#11 returns it. */
  readonly ciphertext: Buffer;
}

export interface HsmTokens {
  /** Whether a token is configured for this cluster ID. */
  has(clusterId: string): boolean;
  /** The configured token of the other cluster ID is the same one (UpdateCustomKeyStore's "related" cluster). */
  sameToken(a: string, b: string): boolean;
  /** Opens a session and logs in with the PIN, afresh: a token gone since the last call is found gone. */
  connect(clusterId: string, pin: string): Promise<void>;
  /** Logs out and closes the session. */
  disconnect(clusterId: string): Promise<void>;
  /** A new AES-256 key in the token (sensitive, not extractable), found again by `id`. */
  generateKey(clusterId: string, pin: string, id: string): Promise<void>;
  encrypt(clusterId: string, pin: string, id: string, plaintext: Buffer, aad: Buffer): Promise<HsmSealed>;
  decrypt(clusterId: string, pin: string, id: string, sealed: HsmSealed, aad: Buffer): Promise<Buffer>;
  random(clusterId: string, pin: string, length: number): Promise<Buffer>;
  /** Destroys the key named `id` in the token. */
  destroyKey(clusterId: string, pin: string, id: string): Promise<void>;
}
