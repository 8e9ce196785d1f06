import { externalHeader, readHeader } from './external-ciphertext.js';

/**
 * The ciphertext blob of a key in an AWS CloudHSM key store, version 3: AES-256-GCM in the store's PKCS#11
 * token, under the key the token holds (docs/ciphertext-format.md).
 *
 *   0       1 byte   version = 0x03
 *   1       12 bytes account ID; 1 byte length L of the key ID; L bytes key ID (as version 2)
 *   14+L    12 bytes initialization vector
 *   26+L    …        ciphertext, then the 16-byte GCM tag
 *
 * The AAD is the header (bytes 0 … 14+L) and SHA-256 of the canonical encryption context (externalAad).
 */
export const HSM_VERSION = 3;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface HsmBlob {
  readonly accountId: string;
  readonly keyId: string;
  readonly header: Buffer;
  readonly iv: Buffer;
  /** Ciphertext and tag together, as PKCS#11's AES-GCM takes them. */
  readonly ciphertext: Buffer;
}

export function hsmHeader(accountId: string, keyId: string): Buffer {
  return externalHeader(accountId, keyId, HSM_VERSION);
}

export function formatHsmBlob(header: Buffer, iv: Buffer, ciphertext: Buffer): Buffer {
  if (iv.length !== IV_BYTES || ciphertext.length < TAG_BYTES) throw new Error('the token answer does not fit the blob');
  return Buffer.concat([header, iv, ciphertext]);
}

export function parseHsmBlob(blob: Buffer): HsmBlob | undefined {
  const named = readHeader(blob, HSM_VERSION);
  if (!named || blob.length < named.end + IV_BYTES + TAG_BYTES) return undefined;
  return {
    accountId: named.accountId, keyId: named.keyId, header: blob.subarray(0, named.end),
    iv: blob.subarray(named.end, named.end + IV_BYTES), ciphertext: blob.subarray(named.end + IV_BYTES),
  };
}
