import {
  constants, createHash, type KeyObject, privateDecrypt, privateEncrypt, publicDecrypt, publicEncrypt, randomBytes,
  timingSafeEqual,
} from 'node:crypto';

import { KmsError } from '../../model/errors.js';
import type {
  EncryptionAlgorithmSpec, KeySpec, MessageType, SigningAlgorithmSpec,
} from '../../model/types.gen.js';
import { checkSigningRequest, requireAlgorithm, SIGNING, signedDigest } from '../algorithms.js';
import { generateKeyPairAsync, type KeyFamily, pkcs8Family, spkiKeys } from '../family.js';

/*
 * Signatures are made from the digest in every case (RAW is hashed first), so a DIGEST is signed exactly as
 * given: PKCS#1 v1.5 pads DigestInfo || digest with OpenSSL's type-1 padding (privateEncrypt), and PSS is
 * EMSA-PSS encoded here (salt length = digest length, MGF1 with the same hash) and raised to d with no padding.
 */

const MODULUS_BITS: Partial<Record<KeySpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

type Hash = 'sha256' | 'sha384' | 'sha512';

/** DER DigestInfo prefix (RFC 8017 §9.2 note 1) for each hash. */
const DIGEST_INFO: Readonly<Record<Hash, Buffer>> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

const OAEP_HASH: Partial<Record<EncryptionAlgorithmSpec, { hash: 'sha1' | 'sha256'; length: number }>> = {
  RSAES_OAEP_SHA_1: { hash: 'sha1', length: 20 },
  RSAES_OAEP_SHA_256: { hash: 'sha256', length: 32 },
};

interface RsaPublic {
  /** The KeyObject OpenSSL works with (a private one for the key's own material). */
  readonly key: KeyObject;
  readonly modulusBits: number;
}

function modulusBitsOf(key: KeyObject): { modulusBits: number } {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || bits === undefined) throw new Error('not an RSA key');
  return { modulusBits: bits };
}

const pkcs8 = pkcs8Family({
  newKeyPair(spec) {
    const modulusLength = MODULUS_BITS[spec];
    if (modulusLength === undefined) throw new Error(`${spec} is not an RSA key spec`);
    return generateKeyPairAsync('rsa', { modulusLength, publicExponent: 65537 });
  },
  view: modulusBitsOf,
  mismatch: (spec, key) => (key.asymmetricKeyType === 'rsa' && key.asymmetricKeyDetails?.modulusLength === MODULUS_BITS[spec]
    ? undefined : `it is not an RSA private key with a ${MODULUS_BITS[spec]}-bit modulus`),
});
const privateKeyOf = pkcs8.keyOf;
const publicKeyOf = spkiKeys(modulusBitsOf);

function hashOf(algorithm: SigningAlgorithmSpec): Hash {
  const { hash } = SIGNING[algorithm];
  if (hash !== 'sha256' && hash !== 'sha384' && hash !== 'sha512') throw new Error(`${algorithm} is not RSA`);
  return hash;
}

const isPss = (algorithm: SigningAlgorithmSpec) => algorithm.startsWith('RSASSA_PSS_');

/** MGF1 (RFC 8017 B.2.1). */
function mgf1(seed: Buffer, length: number, hash: Hash): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let produced = 0, i = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** H = Hash(0x00 * 8 || mHash || salt), the value EMSA-PSS binds the salt and digest with. */
function pssHash(digest: Buffer, salt: Buffer, hash: Hash): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with salt length = digest length; `emBits` = modulus bits - 1. */
function pssEncode(digest: Buffer, emBits: number, hash: Hash): Buffer {
  const emLength = Math.ceil(emBits / 8);
  const hLength = digest.length;
  const salt = randomBytes(hLength);
  const h = pssHash(digest, salt, hash);
  const db = Buffer.alloc(emLength - hLength - 1);
  db[db.length - hLength - 1] = 0x01;
  salt.copy(db, db.length - hLength);
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= 0xff >> (8 * emLength - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with salt length = digest length. */
function pssVerify(digest: Buffer, em: Buffer, emBits: number, hash: Hash): boolean {
  const hLength = digest.length;
  const emLength = Math.ceil(emBits / 8);
  if (em.length !== emLength || emLength < 2 * hLength + 2 || em[emLength - 1] !== 0xbc) return false;
  const topMask = 0xff << (8 - (8 * emLength - emBits)) & 0xff;
  if (em[0]! & topMask) return false;
  const h = em.subarray(emLength - hLength - 1, emLength - 1);
  const db = Buffer.from(em.subarray(0, emLength - hLength - 1));
  const mask = mgf1(h, db.length, hash);
  for (let i = 0; i < db.length; i++) db[i]! ^= mask[i]!;
  db[0]! &= ~topMask & 0xff;
  const separator = db.length - hLength - 1;
  for (let i = 0; i < separator; i++) if (db[i] !== 0) return false;
  if (db[separator] !== 0x01) return false;
  return timingSafeEqual(pssHash(digest, db.subarray(separator + 1), hash), h);
}

function leftPad(bytes: Buffer, length: number): Buffer {
  return bytes.length >= length ? bytes : Buffer.concat([Buffer.alloc(length - bytes.length), bytes]);
}

function signDigest(key: RsaPublic, algorithm: SigningAlgorithmSpec, digest: Buffer): Buffer {
  const hash = hashOf(algorithm);
  if (!isPss(algorithm)) {
    return privateEncrypt({ key: key.key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO[hash], digest]));
  }
  const encoded = pssEncode(digest, key.modulusBits - 1, hash);
  return privateEncrypt({ key: key.key, padding: constants.RSA_NO_PADDING }, leftPad(encoded, Math.ceil(key.modulusBits / 8)));
}

function verifyDigest(key: RsaPublic, algorithm: SigningAlgorithmSpec, digest: Buffer, signature: Buffer): boolean {
  const hash = hashOf(algorithm);
  if (signature.length !== Math.ceil(key.modulusBits / 8)) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt(
      { key: key.key, padding: isPss(algorithm) ? constants.RSA_NO_PADDING : constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false; // signature ≥ modulus, or PKCS#1 type-1 padding broken
  }
  if (!isPss(algorithm)) {
    const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
    return recovered.length === expected.length && timingSafeEqual(recovered, expected);
  }
  const emBits = key.modulusBits - 1;
  const emLength = Math.ceil(emBits / 8);
  const full = leftPad(recovered, Math.ceil(key.modulusBits / 8));
  if (full.subarray(0, full.length - emLength).some((byte) => byte !== 0)) return false;
  return pssVerify(digest, full.subarray(full.length - emLength), emBits, hash);
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  return verifyDigest(publicKeyOf(spki), algorithm, signedDigest(algorithm, message, type), signature);
}

function oaepOf(spec: KeySpec, algorithm: EncryptionAlgorithmSpec) {
  requireAlgorithm(spec, algorithm);
  const oaep = OAEP_HASH[algorithm];
  if (!oaep) throw new Error(`${algorithm} is not RSA OAEP`);
  return oaep;
}

export const rsa: KeyFamily = {
  generate: pkcs8.generate,
  publicKey: pkcs8.publicKey,
  importMaterial: pkcs8.importMaterial,

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    return signDigest(privateKeyOf(material), algorithm, signedDigest(algorithm, message, type));
  },

  verify(spec, material, algorithm, message, type, signature) {
    checkSigningRequest(spec, algorithm, message, type);
    return verifyDigest(privateKeyOf(material), algorithm, signedDigest(algorithm, message, type), signature);
  },

  encrypt(spec, material, algorithm, plaintext) {
    const oaep = oaepOf(spec, algorithm);
    const key = privateKeyOf(material);
    const limit = Math.ceil(key.modulusBits / 8) - 2 * oaep.length - 2;
    if (plaintext.length > limit) {
      throw new KmsError('ValidationException',
        `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${limit} bytes.`);
    }
    return publicEncrypt({ key: key.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaep.hash }, plaintext);
  },

  decrypt(spec, material, algorithm, ciphertext) {
    const oaep = oaepOf(spec, algorithm);
    try {
      return privateDecrypt(
        { key: privateKeyOf(material).key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: oaep.hash }, ciphertext);
    } catch {
      throw new KmsError('InvalidCiphertextException', '');
    }
  },
};
