import { createHash } from 'node:crypto';
import { isKeyIdForm } from '../util/ids.js';

/**
 * The ciphertext blob of a key in an external key store, version 2: Trent's own blob (version 1, under the
 * key's material in Trent) encrypted again by the external key store proxy, as AWS KMS double-encrypts.
 * docs/ciphertext-format.md describes both versions.
 *
 *   0       1 byte   version = 0x02
 *   1       12 bytes account ID, ASCII digits
 *   13      1 byte   length L of the key ID
 *   14      L bytes  key ID, ASCII
 *   14+L    1 byte   length V of the proxy's initialization vector (12 or 16), then V bytes
 *   …       16 bytes the proxy's authentication tag
 *   …       1 byte   length M of the proxy's ciphertextMetadata (0–20), then M bytes
 *   …       …        the proxy's ciphertext of the version-1 blob
 *
 * The proxy is given as additional authenticated data the header (bytes 0 … 14+L) and SHA-256 of the
 * canonical encryption context, so its layer too is bound to the key and the context.
 */
export const EXTERNAL_VERSION = 2;
const ACCOUNT_BYTES = 12;
const TAG_BYTES = 16;
const MAX_METADATA_BYTES = 20;

export interface ExternalBlob {
  readonly accountId: string;
  readonly keyId: string;
  readonly header: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly metadata: Buffer | undefined;
  readonly ciphertext: Buffer;
}

/** The header of a version-2 or version-3 blob (keys/hsm-ciphertext.ts): version, account ID, key ID. */
export function externalHeader(accountId: string, keyId: string, version = EXTERNAL_VERSION): Buffer {
  const id = Buffer.from(keyId, 'ascii');
  if (!/^\d{12}$/.test(accountId) || id.length > 0xff) throw new Error('the blob header cannot hold this account or key ID');
  return Buffer.concat([Buffer.of(version), Buffer.from(accountId, 'ascii'), Buffer.of(id.length), id]);
}

/** The account and key ID a version-2 or version-3 header names, and where the header ends; undefined if it names no possible key. */
export function readHeader(blob: Buffer, version: number): { accountId: string; keyId: string; end: number } | undefined {
  if (blob.length < 1 + ACCOUNT_BYTES + 1 || blob[0] !== version) return undefined;
  const end = 1 + ACCOUNT_BYTES + 1 + blob[1 + ACCOUNT_BYTES]!;
  if (blob.length < end) return undefined;
  const accountId = blob.toString('latin1', 1, 1 + ACCOUNT_BYTES);
  const keyId = blob.toString('latin1', 1 + ACCOUNT_BYTES + 1, end);
  return /^\d{12}$/.test(accountId) && isKeyIdForm(keyId) ? { accountId, keyId, end } : undefined;
}

/** The AAD the proxy binds: the header and a digest of the canonical encryption context (8,192 bytes is the proxy's limit). */
export function externalAad(header: Buffer, canonicalContext: Buffer): Buffer {
  return Buffer.concat([header, createHash('sha256').update(canonicalContext).digest()]);
}

/** Whether the proxy's answer fits the blob (and the spec): IV of 12 or 16 bytes, a 16-byte tag, metadata of at most 20. */
export function fitsExternalBlob(iv: Buffer, tag: Buffer, metadata: Buffer | undefined): boolean {
  return (iv.length === 12 || iv.length === 16) && tag.length === TAG_BYTES && (metadata?.length ?? 0) <= MAX_METADATA_BYTES;
}

export function formatExternalBlob(header: Buffer, iv: Buffer, tag: Buffer, metadata: Buffer | undefined, ciphertext: Buffer): Buffer {
  if (!fitsExternalBlob(iv, tag, metadata)) throw new Error('the proxy answer does not fit the blob');
  const m = metadata ?? Buffer.alloc(0);
  return Buffer.concat([header, Buffer.of(iv.length), iv, tag, Buffer.of(m.length), m, ciphertext]);
}

/** Splits a version-2 blob, or undefined when it is not a well-formed one. */
export function parseExternalBlob(blob: Buffer): ExternalBlob | undefined {
  const named = readHeader(blob, EXTERNAL_VERSION);
  if (!named || blob.length < named.end + 1) return undefined;
  const { accountId, keyId, end: keyIdEnd } = named;
  const ivLength = blob[keyIdEnd]!;
  const tagStart = keyIdEnd + 1 + ivLength;
  const metadataLengthAt = tagStart + TAG_BYTES;
  if (blob.length < metadataLengthAt + 1) return undefined;
  const metadataLength = blob[metadataLengthAt]!;
  const bodyStart = metadataLengthAt + 1 + metadataLength;
  if (blob.length < bodyStart) return undefined;
  const iv = blob.subarray(keyIdEnd + 1, tagStart);
  const tag = blob.subarray(tagStart, metadataLengthAt);
  const metadata = metadataLength ? blob.subarray(metadataLengthAt + 1, bodyStart) : undefined;
  if (!fitsExternalBlob(iv, tag, metadata)) return undefined;
  return { accountId, keyId, header: blob.subarray(0, keyIdEnd), iv, tag, metadata, ciphertext: blob.subarray(bodyStart) };
}
