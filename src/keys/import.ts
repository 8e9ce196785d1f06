import {
  constants, createCipheriv, createDecipheriv, createHash, createPrivateKey, createPublicKey, privateDecrypt, randomBytes,
} from 'node:crypto';

import { KmsError } from '../model/errors.js';
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../model/types.gen.js';
import { familyOf } from './crypto.js';
import { isAsymmetric } from './specs.js';

/*
 * Bring your own key (ImportKeyMaterial): the wrapping algorithms that carry key material to Trent, the import
 * token that pairs a wrapping key with the KMS key it is for, and the key material ID derived from the material.
 * Pure: the wrapping key pair is made and stored by ops/import, which hands its private half here to unwrap.
 */

/** How each wrapping algorithm carries the material, with the OAEP hash where RSA is used. */
type Wrapping =
  | { readonly kind: 'rsaes-oaep'; readonly hash: 'sha1' | 'sha256' }
  | { readonly kind: 'rsa-aes-key-wrap'; readonly hash: 'sha1' | 'sha256' }
  | { readonly kind: 'sm2pke' }
  | { readonly kind: 'withdrawn' };

export const WRAPPING_ALGORITHMS: Readonly<Record<AlgorithmSpec, Wrapping>> = {
  // AWS stopped accepting it on October 10, 2023 (GetParametersForImport's API reference).
  RSAES_PKCS1_V1_5: { kind: 'withdrawn' },
  RSAES_OAEP_SHA_1: { kind: 'rsaes-oaep', hash: 'sha1' },
  RSAES_OAEP_SHA_256: { kind: 'rsaes-oaep', hash: 'sha256' },
  RSA_AES_KEY_WRAP_SHA_1: { kind: 'rsa-aes-key-wrap', hash: 'sha1' },
  RSA_AES_KEY_WRAP_SHA_256: { kind: 'rsa-aes-key-wrap', hash: 'sha256' },
  SM2PKE: { kind: 'sm2pke' },
};

/** The key spec of each wrapping key pair: RSA wrapping keys are RSA key pairs, SM2's an SM2 one. */
export const WRAPPING_KEY_SPECS: Readonly<Record<WrappingKeySpec, KeySpec>> = {
  RSA_2048: 'RSA_2048', RSA_3072: 'RSA_3072', RSA_4096: 'RSA_4096', SM2: 'SM2',
};

/**
 * Whether a wrapping algorithm works with a wrapping key spec (AWS: the SM2 wrapping key with SM2PKE only, RSA
 * wrapping keys with the RSA algorithms only). The message names the pair as the request gave it.
 */
export function checkWrappingPair(algorithm: AlgorithmSpec, keySpec: WrappingKeySpec): void {
  const wrapping = WRAPPING_ALGORITHMS[algorithm];
  if (wrapping.kind === 'withdrawn') {
    throw new KmsError('ValidationException', `The wrapping algorithm ${algorithm} is no longer supported. Choose RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1 or RSA_AES_KEY_WRAP_SHA_256.`);
  }
  if ((wrapping.kind === 'sm2pke') !== (keySpec === 'SM2')) {
    throw new KmsError('ValidationException', `The wrapping algorithm ${algorithm} cannot be used with the wrapping key spec ${keySpec}.`);
  }
}

/** How long a wrapping key and its import token can be used (AWS: 24 hours). */
export const IMPORT_PARAMETERS_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * The ephemeral AES key of the RSA_AES_KEY_WRAP algorithms is 256 bits (AWS's instructions: "a 256-bit AES
 * symmetric key"), and the material is wrapped under it with RFC 5649 (AES key wrap with padding).
 */
const EPHEMERAL_AES_BYTES = 32;

const KWP_CIPHERS: Readonly<Record<number, string>> = { 16: 'id-aes128-wrap-pad', 24: 'id-aes192-wrap-pad', 32: 'id-aes256-wrap-pad' };
/** RFC 5649's alternative initial value, the first half of every padded wrap. */
const KWP_AIV = Buffer.from('a65959a6', 'hex');

function kwpCipher(kek: Buffer): string {
  const cipher = KWP_CIPHERS[kek.length];
  if (!cipher) throw new RangeError('an AES key wrap key is 16, 24 or 32 bytes');
  return cipher;
}

/** RFC 5649 AES key wrap with padding (OpenSSL's id-aes*-wrap-pad, the `openssl enc -id-aes256-wrap-pad` cipher). */
export function aesKeyWrapPadded(kek: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv(kwpCipher(kek), kek, KWP_AIV);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** RFC 5649 unwrap: the plaintext, or null when the wrapped bytes fail the integrity check or are malformed. */
export function aesKeyUnwrapPadded(kek: Buffer, wrapped: Buffer): Buffer | null {
  // At least one 64-bit block besides the integrity block, in whole blocks (RFC 5649 §3).
  if (wrapped.length < 16 || wrapped.length % 8 !== 0) return null;
  try {
    const decipher = createDecipheriv(kwpCipher(kek), kek, KWP_AIV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    return null;
  }
}

function cannotUnwrap(): KmsError {
  return new KmsError('InvalidCiphertextException',
    'The encrypted key material could not be decrypted with the wrapping key and algorithm of the import token.');
}

/**
 * The plaintext key material of EncryptedKeyMaterial, made with `algorithm` under the public half of the wrapping
 * key pair whose PKCS#8 private key is `wrappingKey`. InvalidCiphertextException when it does not decrypt.
 *
 * RSA_AES_KEY_WRAP_*: the RSA-OAEP encryption of an AES-256 key (one modulus long), followed by the material
 * wrapped under that AES key with RFC 5649.
 */
export function unwrapKeyMaterial(algorithm: AlgorithmSpec, wrappingKey: Buffer, encrypted: Buffer): Buffer {
  const wrapping = WRAPPING_ALGORITHMS[algorithm];
  if (wrapping.kind === 'withdrawn') throw cannotUnwrap();
  if (wrapping.kind === 'sm2pke') {
    try {
      return familyOf('SM2').decrypt!('SM2', wrappingKey, 'SM2PKE', encrypted);
    } catch {
      throw cannotUnwrap();
    }
  }
  const key = createPrivateKey({ key: wrappingKey, format: 'der', type: 'pkcs8' });
  const oaep = (ciphertext: Buffer): Buffer => {
    try {
      return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: wrapping.hash }, ciphertext);
    } catch {
      throw cannotUnwrap();
    }
  };
  if (wrapping.kind === 'rsaes-oaep') return oaep(encrypted);
  const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (encrypted.length <= modulusBytes) throw cannotUnwrap();
  const aesKey = oaep(encrypted.subarray(0, modulusBytes));
  if (aesKey.length !== EPHEMERAL_AES_BYTES) throw cannotUnwrap();
  const material = aesKeyUnwrapPadded(aesKey, encrypted.subarray(modulusBytes));
  if (!material) throw cannotUnwrap();
  return material;
}

/** The DER SubjectPublicKeyInfo GetParametersForImport returns for a wrapping key pair. */
export function wrappingPublicKey(wrappingKey: Buffer): Buffer {
  return createPublicKey(createPrivateKey({ key: wrappingKey, format: 'der', type: 'pkcs8' })).export({ format: 'der', type: 'spki' });
}

/**
 * The import token: a version byte and the random ID under which the wrapping key pair is stored. It carries
 * no secret and no key: the stored record says which KMS key, algorithm and wrapping key it stands for, so a
 * token is only as good as that record, which expires.
 */
const TOKEN_VERSION = 1;
const TOKEN_ID_BYTES = 32;

export function newImportToken(): { token: Buffer; tokenId: string } {
  const id = randomBytes(TOKEN_ID_BYTES);
  return { token: Buffer.concat([Buffer.of(TOKEN_VERSION), id]), tokenId: id.toString('hex') };
}

/** The token's ID, or undefined for bytes that are no import token of Trent's. */
export function importTokenId(token: Buffer): string | undefined {
  if (token.length !== 1 + TOKEN_ID_BYTES || token[0] !== TOKEN_VERSION) return undefined;
  return token.subarray(1).toString('hex');
}

/**
 * The ID of imported key material: 64 hex digits computed from the KMS key and the material (as AWS assigns
 * it, "based on the KMS key ID and the imported key material"), so importing the same material again names the
 * same material and its ciphertexts, and different material never takes an ID already used. A hash of key
 * material with a fixed label: one-way, and the material it is computed from is a full-entropy key.
 */
export function importedMaterialId(accountId: string, keyId: string, material: Buffer): string {
  return createHash('sha256')
    .update('trent/v1/imported-key-material-id\0').update(`${accountId}\0${keyId}\0`).update(material)
    .digest('hex');
}

/**
 * Key material given in the clear by Trent's dev tooling, in the form installing it expects (ImportKeyMaterial's):
 * a symmetric or HMAC key's bytes as they are, an asymmetric key's private key as PKCS #8 DER (givenPrivateKey).
 */
export function givenMaterial(spec: KeySpec, given: Buffer): Buffer {
  return isAsymmetric(spec) ? givenPrivateKey(given) : given;
}

/**
 * A private key given in the clear by Trent's dev tooling (a seed file's PEM, LocalStack's `_custom_key_material_`
 * tag) in the form ImportKeyMaterial carries one, PKCS #8 DER, so it goes through the same checks (the family's
 * importMaterial). Accepts PEM or DER, as PKCS #8, PKCS #1 (RSA) or SEC 1 (EC: what OpenSSL and local-kms
 * write); other bytes are returned as they are (a PEM's DER), for the family's check to take or refuse by its rules.
 */
export function givenPrivateKey(given: Buffer): Buffer {
  const text = given.toString('latin1');
  const attempts: Array<Parameters<typeof createPrivateKey>[0]> = text.includes('-----BEGIN')
    ? [{ key: text, format: 'pem' }]
    : (['pkcs8', 'pkcs1', 'sec1'] as const).map((type) => ({ key: given, format: 'der' as const, type }));
  for (const attempt of attempts) {
    try {
      return createPrivateKey(attempt).export({ format: 'der', type: 'pkcs8' });
    } catch {
      // Not this encoding: the next one, or the bytes as given.
    }
  }
  // A PEM OpenSSL cannot read here (ML-DSA's PKCS #8, in Node 20): its DER, for the family to read.
  const body = /-----BEGIN [A-Z ]+-----([A-Za-z0-9+/=\s]+)-----END [A-Z ]+-----/.exec(text)?.[1];
  return body === undefined ? given : Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/**
 * The key spec of an asymmetric private key (PKCS #8 DER): the first spec whose family's importMaterial takes it,
 * so that a seed file's PEM need not say what the key is (local-kms's do not). Undefined for none.
 */
export function keySpecOfPrivateKey(pkcs8: Buffer, candidates: readonly KeySpec[]): KeySpec | undefined {
  return candidates.find((spec) => {
    try {
      familyOf(spec).importMaterial(spec, pkcs8);
      return true;
    } catch {
      return false;
    }
  });
}
