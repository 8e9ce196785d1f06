import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

import { ed25519ph } from '@noble/curves/ed25519.js';

import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest } from '../algorithms.js';
import { DerReader } from '../der.js';
import { generateKeyPairAsync, type KeyFamily, pkcs8Family, spkiKeys } from '../family.js';

/*
 * ED25519_SHA_512 is pure Ed25519 over the RAW message (OpenSSL). ED25519_PH_SHA_512 is Ed25519ph (RFC 8032
 * §5.1, empty context) over the caller's 64-byte DIGEST: as AWS documents, KMS still applies Ed25519ph's own
 * SHA-512 prehash to it, so the input is hashed twice. OpenSSL 3.0 has no Ed25519ph, hence @noble/curves.
 */

interface EdPublic {
  /** The KeyObject OpenSSL verifies with (a private one for the key's own material). */
  readonly key: KeyObject;
  /** The 32-byte RFC 8032 public key, for Ed25519ph. */
  readonly raw: Uint8Array;
}

/** The raw public key of an Ed25519 key (the JWK of its public half, so the seed never becomes a string). */
function publicParts(publicKey: KeyObject): Omit<EdPublic, 'key'> {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
  const { x } = publicKey.export({ format: 'jwk' });
  if (!x) throw new Error('Ed25519 public key without a point');
  return { raw: Buffer.from(x, 'base64url') };
}

/** RFC 8410 PKCS#8: PrivateKeyInfo { version, algorithm, OCTET STRING { OCTET STRING seed } }. */
function seedOf(material: Buffer): Buffer {
  const info = new DerReader(material).sequence();
  info.integer();
  info.sequence();
  const seed = new DerReader(info.octetString()).octetString();
  if (seed.length !== 32) throw new Error('Ed25519 key without a 32-byte seed');
  return seed;
}

const pkcs8 = pkcs8Family({
  newKeyPair: () => generateKeyPairAsync('ed25519'),
  view: (_key, spki, material) => ({
    ...publicParts(createPublicKey({ key: spki, format: 'der', type: 'spki' })), seed: seedOf(material),
  }),
  mismatch: (_spec, key) => (key.asymmetricKeyType === 'ed25519' ? undefined : 'it is not an Ed25519 private key'),
});
const privateKeyOf = pkcs8.keyOf;
const publicKeyOf = spkiKeys(publicParts);

/** Verification once the request is checked, with the key's own material or a bare SPKI. */
function verifyWith(key: EdPublic, algorithm: SigningAlgorithmSpec, message: Buffer, signature: Buffer): boolean {
  if (algorithm === 'ED25519_SHA_512') return verify(null, message, key.key, signature);
  // zip215 off: RFC 8032's strict rules (canonical S and point encodings), as OpenSSL applies to pure Ed25519.
  return signature.length === 64 && ed25519ph.verify(signature, message, key.raw, { zip215: false });
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  return verifyWith(publicKeyOf(spki), algorithm, message, signature);
}

export const ed25519: KeyFamily = {
  generate: pkcs8.generate,
  publicKey: pkcs8.publicKey,
  importMaterial: pkcs8.importMaterial,

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(material);
    if (algorithm === 'ED25519_SHA_512') return sign(null, message, key.key);
    return Buffer.from(ed25519ph.sign(message, key.seed));
  },

  verify(spec, material, algorithm, message, type, signature) {
    checkSigningRequest(spec, algorithm, message, type);
    return verifyWith(privateKeyOf(material), algorithm, message, signature);
  },
};
