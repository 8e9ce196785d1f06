import {
  createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, sign, verify,
} from 'node:crypto';
import { promisify } from 'node:util';

import { ed25519ph } from '@noble/curves/ed25519.js';

import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest } from '../algorithms.js';
import type { KeyFamily } from '../family.js';
import { MaterialCache } from '../material-cache.js';

/*
 * ED25519_SHA_512 is pure Ed25519 over the RAW message (OpenSSL). ED25519_PH_SHA_512 is Ed25519ph (RFC 8032
 * §5.1, empty context) over the caller's 64-byte DIGEST: as AWS documents, KMS still applies Ed25519ph's own
 * SHA-512 prehash to it, so the input is hashed twice. OpenSSL 3.0 has no Ed25519ph, hence @noble/curves.
 */

interface EdPrivate {
  readonly key: KeyObject;
  /** The 32-byte RFC 8032 private key (seed). */
  readonly seed: Uint8Array;
  readonly spki: Buffer;
}

interface EdPublic {
  readonly key: KeyObject;
  readonly raw: Uint8Array;
}

const privateKeys = new MaterialCache<EdPrivate>();
const publicKeys = new MaterialCache<EdPublic>();

function requireEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
}

function privateKeyOf(material: Buffer): EdPrivate {
  return privateKeys.get(material, () => {
    const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    requireEd25519(key);
    const { d } = key.export({ format: 'jwk' });
    if (!d) throw new Error('Ed25519 key without a seed');
    return { key, seed: Buffer.from(d, 'base64url'), spki: createPublicKey(key).export({ format: 'der', type: 'spki' }) };
  });
}

function publicKeyOf(spki: Buffer): EdPublic {
  return publicKeys.get(spki, () => {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    requireEd25519(key);
    const { x } = key.export({ format: 'jwk' });
    if (!x) throw new Error('Ed25519 public key without a point');
    return { key, raw: Buffer.from(x, 'base64url') };
  });
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  const key = publicKeyOf(spki);
  if (algorithm === 'ED25519_SHA_512') return verify(null, message, key.key, signature);
  // zip215 off: RFC 8032's strict rules (canonical S and point encodings), as OpenSSL applies to pure Ed25519.
  return signature.length === 64 && ed25519ph.verify(signature, message, key.raw, { zip215: false });
}

const generateEd = promisify(generateKeyPair);

export const ed25519: KeyFamily = {
  async generate() {
    const { privateKey } = await generateEd('ed25519');
    return privateKey.export({ format: 'der', type: 'pkcs8' });
  },

  publicKey(_spec, material) {
    return privateKeyOf(material).spki;
  },

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(material);
    if (algorithm === 'ED25519_SHA_512') return sign(null, message, key.key);
    return Buffer.from(ed25519ph.sign(message, key.seed));
  },

  verify(spec, material, algorithm, message, type, signature) {
    return verifyWithPublicKey(spec, privateKeyOf(material).spki, algorithm, message, type, signature);
  },
};
