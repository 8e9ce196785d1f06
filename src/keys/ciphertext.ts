import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { publicRandomBytes } from '../util/random.js';
import { isKeyIdForm } from '../util/ids.js';

/**
 * Trent's symmetric ciphertext blob, version 1 (docs/ciphertext-format.md describes it for humans):
 *
 *   0       1 byte   version = 0x01
 *   1       12 bytes account ID, ASCII digits
 *   13      1 byte   length L of the key ID
 *   14      L bytes  key ID, ASCII (a UUID, or mrk- and 32 hex digits)
 *   14+L    32 bytes material ID (the key material version, raw)
 *   46+L    12 bytes nonce N
 *   58+L    …        AES-256-GCM ciphertext
 *   end-16  16 bytes GCM tag
 *
 * The message key is HMAC-SHA256(material, "trent/v1/message-key" ‖ N): a fresh key per message, so GCM's
 * random-nonce limit never applies to the key material itself. The associated data is the whole header
 * (bytes 0 … 58+L) followed by the canonical encryption context, so every header byte and every context
 * pair is authenticated. The header names the key by account and ID but not Region, so a multi-Region
 * key's replicas (same ID, same material) decrypt each other's ciphertexts.
 */
export const VERSION = 1;
const ACCOUNT_BYTES = 12;
const MATERIAL_ID_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_LABEL = Buffer.from('trent/v1/message-key');

export interface BlobHeader {
  readonly accountId: string;
  readonly keyId: string;
  /** 64 hex digits */
  readonly materialId: string;
}

export interface ParsedBlob extends BlobHeader {
  readonly header: Buffer;
  readonly nonce: Buffer;
  readonly body: Buffer;
  readonly tag: Buffer;
}

const NO_CONTEXT = u32(0);

/**
 * Canonical encryption context: the pair count, then the pairs sorted by their keys' UTF-8 bytes, each key and
 * value prefixed by its byte length. Lengths are 4 bytes: the model bounds neither the number nor the size of
 * the pairs, so only the request size limits them, and no context a client can send overflows its encoding.
 */
export function canonicalContext(context: Readonly<Record<string, string>> | undefined): Buffer {
  const entries = context ? Object.entries(context) : [];
  if (entries.length === 0) return NO_CONTEXT;
  const pairs = entries
    .map(([k, v]) => [Buffer.from(k, 'utf8'), Buffer.from(v, 'utf8')] as const)
    .sort(([a], [b]) => Buffer.compare(a, b));
  const parts: Buffer[] = [u32(pairs.length)];
  for (const [k, v] of pairs) parts.push(u32(k.length), k, u32(v.length), v);
  return Buffer.concat(parts);
}

function u32(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

function messageKey(material: Buffer, nonce: Buffer): Buffer {
  return createHmac('sha256', material).update(KEY_LABEL).update(nonce).digest();
}

export function seal(h: BlobHeader, material: Buffer, plaintext: Buffer, context: Buffer): Buffer {
  const keyId = Buffer.from(h.keyId, 'ascii');
  // A header that parseBlob would read back differently must never be written.
  if (!/^\d{12}$/.test(h.accountId) || keyId.length > 0xff || !/^[0-9a-f]{64}$/.test(h.materialId)) {
    throw new Error('the blob header cannot hold this account, key or material ID');
  }
  const nonce = publicRandomBytes(NONCE_BYTES);
  const header = Buffer.concat([
    Buffer.of(VERSION), Buffer.from(h.accountId, 'ascii'), Buffer.of(keyId.length), keyId,
    Buffer.from(h.materialId, 'hex'), nonce,
  ]);
  const cipher = createCipheriv('aes-256-gcm', messageKey(material, nonce), nonce);
  cipher.setAAD(Buffer.concat([header, context]));
  const body = cipher.update(plaintext);
  cipher.final();
  return Buffer.concat([header, body, cipher.getAuthTag()]);
}

/** Splits a blob into its parts, or undefined when it is not a well-formed version-1 blob. */
export function parseBlob(blob: Buffer): ParsedBlob | undefined {
  if (blob.length < 1 + ACCOUNT_BYTES + 1 || blob[0] !== VERSION) return undefined;
  const keyIdLength = blob[1 + ACCOUNT_BYTES]!;
  const headerLength = 1 + ACCOUNT_BYTES + 1 + keyIdLength + MATERIAL_ID_BYTES + NONCE_BYTES;
  if (blob.length < headerLength + TAG_BYTES) return undefined;
  const header = blob.subarray(0, headerLength);
  const keyIdStart = 1 + ACCOUNT_BYTES + 1;
  const materialStart = keyIdStart + keyIdLength;
  const accountId = header.toString('latin1', 1, 1 + ACCOUNT_BYTES);
  const keyId = header.toString('latin1', keyIdStart, materialStart);
  // A header naming no key that can exist is not a blob: it is never looked up (a tampered length byte would
  // otherwise read material ID bytes, a NUL among them, into the key ID, which PostgreSQL refuses as text).
  if (!/^\d{12}$/.test(accountId) || !isKeyIdForm(keyId)) return undefined;
  return {
    accountId,
    keyId,
    materialId: header.toString('hex', materialStart, materialStart + MATERIAL_ID_BYTES),
    header,
    nonce: header.subarray(materialStart + MATERIAL_ID_BYTES),
    body: blob.subarray(headerLength, blob.length - TAG_BYTES),
    tag: blob.subarray(blob.length - TAG_BYTES),
  };
}

/** The plaintext, or undefined when the blob, the material or the context does not authenticate. */
export function open(blob: ParsedBlob, material: Buffer, context: Buffer): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', messageKey(material, blob.nonce), blob.nonce);
    decipher.setAAD(Buffer.concat([blob.header, context]));
    decipher.setAuthTag(blob.tag);
    const plaintext = decipher.update(blob.body);
    decipher.final();
    return plaintext;
  } catch {
    return undefined;
  }
}
