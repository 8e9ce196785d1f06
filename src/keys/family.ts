import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

import { KmsError } from '../model/errors.js';
import type {
  EncryptionAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from '../model/types.gen.js';
import { MaterialCache } from './material-cache.js';

/**
 * The cryptography of one family of key specs (keys/families/*.ts). Pure: no I/O, no store, no HTTP.
 *
 * `material` is the secret a KMS key holds, in the family's own canonical encoding, exactly as `generate`
 * returns it and as the store keeps it (wrapped under the root key): the raw key bytes for AES and HMAC,
 * PKCS#8 DER for RSA, ECC, Ed25519 and SM2, and the 32-byte seed for ML-DSA.
 *
 * Errors a caller can cause (a digest of the wrong length, a peer key on another curve) are thrown as
 * KmsError with AWS's type and text; a signature or MAC that does not verify is `false`, not an error.
 */
export interface KeyFamily {
  /** New secret material for `spec`. Asynchronous so slow generation (RSA) runs off the event loop. */
  generate(spec: KeySpec): Promise<Buffer>;
  /** DER SubjectPublicKeyInfo of an asymmetric key. */
  publicKey?(spec: KeySpec, material: Buffer): Buffer;
  sign?(spec: KeySpec, material: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType): Buffer;
  verify?(spec: KeySpec, material: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType,
    signature: Buffer): boolean;
  /** Public-key encryption (RSA OAEP, SM2PKE); symmetric encryption lives in keys/ciphertext.ts. */
  encrypt?(spec: KeySpec, material: Buffer, algorithm: EncryptionAlgorithmSpec, plaintext: Buffer): Buffer;
  decrypt?(spec: KeySpec, material: Buffer, algorithm: EncryptionAlgorithmSpec, ciphertext: Buffer): Buffer;
  /** ECDH: the raw shared secret (the x coordinate) with a peer given as DER SubjectPublicKeyInfo. */
  deriveSharedSecret?(spec: KeySpec, material: Buffer, peerPublicKey: Buffer): Buffer;
  mac?(spec: KeySpec, material: Buffer, algorithm: MacAlgorithmSpec, message: Buffer): Buffer;
  /**
   * Imported key material (ImportKeyMaterial, after unwrapping) as this family keeps it, in its canonical
   * encoding so that the same key imported twice is the same bytes; throws IncorrectKeyMaterialException for
   * bytes that are not a key of exactly `spec` (AWS's requirements for imported key material).
   */
  importMaterial(spec: KeySpec, imported: Buffer): Buffer;
  /**
   * The material in the form importMaterial takes, for a seed file written by `trent export`; absent where the
   * family keeps material in that form already (every family but ML-DSA, which keeps only the seed).
   */
  exportMaterial?(spec: KeySpec, material: Buffer): Buffer;
}

/** The refusal of imported bytes that are not a key of the spec (keys/import.ts and every family's importMaterial). */
export function incorrectMaterial(spec: KeySpec, what: string): KmsError {
  return new KmsError('IncorrectKeyMaterialException', `The key material is not valid for a ${spec} key: ${what}.`);
}

/** crypto.generateKeyPair as a promise: OpenSSL generates on the threadpool, off the event loop. */
export const generateKeyPairAsync = promisify(generateKeyPair);

/** The private KeyObject and the SubjectPublicKeyInfo of a key whose material is PKCS#8 DER. */
export interface Pkcs8Key {
  readonly key: KeyObject;
  readonly spki: Buffer;
}

/**
 * What the families whose material is the PKCS#8 DER of an OpenSSL key pair (RSA, ECC, Ed25519, SM2) share:
 * `generate`, `publicKey`, and `keyOf`, which parses material once per key (cached) into the family's own
 * view of it plus the KeyObject and SPKI.
 */
export function pkcs8Family<View>(options: {
  newKeyPair(spec: KeySpec): Promise<{ privateKey: KeyObject }>;
  view(key: KeyObject, spki: Buffer, material: Buffer): View;
  /** What an imported private key must be for `spec` (its type, size or curve), in words for the refusal, or undefined if it is. */
  mismatch(spec: KeySpec, key: KeyObject): string | undefined;
}): Required<Pick<KeyFamily, 'generate' | 'publicKey' | 'importMaterial'>> & { keyOf(material: Buffer): View & Pkcs8Key } {
  const keys = new MaterialCache<View & Pkcs8Key>();
  const keyOf = (material: Buffer) => keys.get(material, () => {
    const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    return { ...options.view(key, spki, material), key, spki };
  });
  return {
    async generate(spec) {
      return (await options.newKeyPair(spec)).privateKey.export({ format: 'der', type: 'pkcs8' });
    },
    publicKey: (_spec, material) => keyOf(material).spki,
    importMaterial(spec, imported) {
      let key: KeyObject;
      try {
        key = createPrivateKey({ key: imported, format: 'der', type: 'pkcs8' });
      } catch {
        throw incorrectMaterial(spec, 'it is not a DER-encoded PKCS #8 private key');
      }
      const mismatch = options.mismatch(spec, key);
      if (mismatch !== undefined) throw incorrectMaterial(spec, mismatch);
      // Re-encoded by OpenSSL: one key, one encoding, whatever optional fields the importer's tool wrote.
      return key.export({ format: 'der', type: 'pkcs8' });
    },
    keyOf,
  };
}

/** Parses a DER SubjectPublicKeyInfo once per key (cached) into a family's view of it plus the KeyObject. */
export function spkiKeys<View>(view: (key: KeyObject) => View): (spki: Buffer) => View & { key: KeyObject } {
  const keys = new MaterialCache<View & { key: KeyObject }>();
  return (spki) => keys.get(spki, () => {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    return { ...view(key), key };
  });
}
