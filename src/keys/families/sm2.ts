import { createECDH, createHash, createPublicKey, type ECDH, timingSafeEqual } from 'node:crypto';

import { invert, mod } from '@noble/curves/abstract/modular.js';
import { weierstrass, type WeierstrassOpts, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

import { KmsError } from '../../model/errors.js';
import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest, requireAlgorithm } from '../algorithms.js';
import { decodeSignature, der, DerError, DerReader, ecPrivateKeyScalar, encodeSignature, oidBytes } from '../der.js';
import { generateKeyPairAsync, type KeyFamily, pkcs8Family } from '../family.js';
import { MaterialCache } from '../material-cache.js';
import { group, invertAll, maskedScalar, maskMultiple, nonce, NONCE_BATCH, Pool, uniformMask } from './blinding.js';

/*
 * SM2 (GB/T 32918, GM/T 0003): OpenSSL generates the keys, computes k·G for nonces and computes SM3; Node exposes
 * neither SM2DSA, SM2 encryption nor ECDH with parsed SM2 keys, so those equations are written here over
 * @noble/curves' point arithmetic, and SM2DSA's scalar arithmetic is blinded as blinding.ts explains.
 * SM2DSA signs e = SM3(Z_A || M) with AWS's fixed distinguishing ID 1234567812345678 for RAW messages; a DIGEST
 * is that e, computed by the caller (with any ID). SM2PKE ciphertexts are GM/T 0009 DER: SEQUENCE { x, y, C3, C2 },
 * the form OpenSSL reads and writes.
 */

const CURVE: WeierstrassOpts<bigint> = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
};
const Point = weierstrass(CURVE);
type Sm2Point = WeierstrassPoint<bigint>;
const n = CURVE.n;
const FIELD_BYTES = 32;
const OPENSSL_CURVE = 'SM2';
const GROUP = group(OPENSSL_CURVE, n);

/** GM/T 0009-2012's default user ID, which AWS KMS uses for RAW messages. */
const DISTINGUISHING_ID = Buffer.from('1234567812345678');

const sm3 = (...parts: Uint8Array[]) => {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return hash.digest();
};
const field = (value: bigint) => numberToBytesBE(value, FIELD_BYTES);

/** Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A). */
function userHash(publicKey: Sm2Point): Buffer {
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(DISTINGUISHING_ID.length * 8);
  return sm3(entl, DISTINGUISHING_ID, field(CURVE.a), field(CURVE.b), field(CURVE.Gx), field(CURVE.Gy),
    field(publicKey.x), field(publicKey.y));
}

interface Sm2Public {
  readonly point: Sm2Point;
  readonly userHash: Buffer;
}

interface Sm2Private extends Sm2Public {
  /** d, for decryption and ECDH (noble's point multiplication). */
  readonly scalar: bigint;
  /** (1 + d)⁻¹ + c·n (blinding.ts): the signing factor, fixed per key, kept only masked. */
  readonly maskedFactor: bigint;
}

const publicKeys = new MaterialCache<Sm2Public>();

const EC_PUBLIC_KEY = oidBytes('1.2.840.10045.2.1');
const SM2_CURVE = oidBytes('1.2.156.10197.1.301');

function namesSm2(spki: Buffer): boolean {
  try {
    pointOfSpki(spki);
    return true;
  } catch (error) {
    if (error instanceof DerError) return false;
    throw error;
  }
}

/**
 * The point of an SM2 SubjectPublicKeyInfo (id-ecPublicKey, curve sm2p256v1), checked to lie on the curve.
 * Parsed here because OpenSSL 3 turns such keys into its own "SM2" key type, which Node can neither name nor
 * use for Diffie-Hellman.
 */
function pointOfSpki(spki: Buffer): Sm2Point {
  const outer = new DerReader(spki);
  const body = outer.sequence();
  outer.end();
  const algorithm = body.sequence();
  if (!algorithm.oid().equals(EC_PUBLIC_KEY) || !algorithm.oid().equals(SM2_CURVE)) throw new DerError('not SM2');
  algorithm.end();
  const point = body.bitString();
  body.end();
  return Point.fromBytes(point);
}

/**
 * (1 + d)⁻¹ + c·n, once per key: the inversion runs on (1 + d)·a for a fresh uniform a, and the factor is
 * unmasked only to be masked again at once.
 */
function maskedSigningFactor(d: Buffer): bigint {
  const a = uniformMask(GROUP);
  const blinded = ((maskedScalar(GROUP, d) + 1n) * a) % n;
  if (blinded === 0n) throw new Error('SM2 private key d = n − 1 is not valid'); // GB/T 32918.1 §6.1
  return (invert(blinded, n) * a) % n + maskMultiple(GROUP);
}

const pkcs8 = pkcs8Family({
  newKeyPair: () => generateKeyPairAsync('ec', { namedCurve: OPENSSL_CURVE }),
  view(_key, spki, material): Sm2Private {
    const point = pointOfSpki(spki);
    const d = ecPrivateKeyScalar(material);
    return { point, userHash: userHash(point), scalar: bytesToNumberBE(d), maskedFactor: maskedSigningFactor(d) };
  },
  // Node cannot name OpenSSL 3's SM2 key type: the curve is read from the public key's encoding.
  mismatch: (_spec, key) => (namesSm2(createPublicKey(key).export({ format: 'der', type: 'spki' }))
    ? undefined : 'it is not a private key on the curve SM2'),
});
const privateKeyOf = pkcs8.keyOf;

function publicKeyOf(spki: Buffer): Sm2Public {
  return publicKeys.get(spki, () => {
    const point = pointOfSpki(spki);
    return { point, userHash: userHash(point) };
  });
}

let ephemeralSource: ECDH | undefined;

/** A fresh encryption key pair (k, k·G) in [1, n-1], from OpenSSL. */
function ephemeralKey(): { k: bigint; kG: Buffer } {
  ephemeralSource ??= createECDH(OPENSSL_CURVE);
  const kG = ephemeralSource.generateKeys();
  return { k: bytesToNumberBE(ephemeralSource.getPrivateKey()), kG };
}

/** An SM2DSA nonce: x(k·G), k + c·n, a mask b with b⁻¹, and a fresh c·n to re-mask the signing factor. */
interface SigningNonce {
  readonly x: bigint;
  readonly k: bigint;
  readonly b: bigint;
  readonly bInverse: bigint;
  readonly keyMask: bigint;
}

const signingNonces = new Pool<SigningNonce>(() => {
  const made = Array.from({ length: NONCE_BATCH }, () => ({ ...nonce(GROUP), b: uniformMask(GROUP) }));
  const inverses = invertAll(made.map(({ b }) => b), n);
  return made.map((entry, i) => ({ ...entry, bInverse: inverses[i]!, keyMask: maskMultiple(GROUP) }));
});

function digestOf(key: Sm2Public, message: Buffer, type: MessageType): bigint {
  return bytesToNumberBE(type === 'DIGEST' ? message : sm3(key.userHash, message));
}

/**
 * SM2DSA signature generation (GB/T 32918.2 §6.1, steps A3–A7), as s = (1 + d)⁻¹(k − r·d) = f·(k + r) − r with
 * f = (1 + d)⁻¹: f·b and (k + r)·b⁻¹ are each uniform, and their product f·(k + r) = s + r is public.
 */
function signDigest(key: Sm2Private, e: bigint): Buffer {
  for (;;) {
    const { x, k, b, bInverse, keyMask } = signingNonces.take();
    const r = (e + x) % n;
    if (r === 0n) continue;
    const fb = ((key.maskedFactor + keyMask) * b) % n;
    const sum = (fb * (((k + r) * bInverse) % n)) % n;
    if (sum === 0n) continue; // r + k = n (step A5), seen without unmasking k
    const s = mod(sum - r, n);
    if (s !== 0n) return encodeSignature(r, s);
  }
}

/** SM2DSA verification (GB/T 32918.2 §7.1, steps B1–B7). */
function verifyDigest(key: Sm2Public, e: bigint, signature: Buffer): boolean {
  const parsed = decodeSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const t = (r + s) % n;
  if (t === 0n) return false;
  const sum = Point.BASE.mulAddUnsafe(s, key.point, t);
  if (sum.is0()) return false;
  return (e + sum.x) % n === r;
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  const key = publicKeyOf(spki);
  return verifyDigest(key, digestOf(key, message, type), signature);
}

/** The SM2 key derivation function (GB/T 32918.4 §5.4.3) over SM3. */
function kdf(z: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let produced = 0, i = 1; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = sm3(z, counter);
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xor(data: Uint8Array, mask: Buffer): Buffer {
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) out[i]! ^= mask[i]!;
  return out;
}

/** SM2 encryption (GB/T 32918.4 §6.1). */
function encryptTo(recipient: Sm2Point, plaintext: Buffer): Buffer {
  for (;;) {
    const { k, kG } = ephemeralKey();
    const shared = recipient.multiply(k);
    const x2 = field(shared.x);
    const y2 = field(shared.y);
    const mask = kdf(Buffer.concat([x2, y2]), plaintext.length);
    if (plaintext.length > 0 && mask.every((byte) => byte === 0)) continue;
    const c1x = bytesToNumberBE(kG.subarray(1, 1 + FIELD_BYTES));
    const c1y = bytesToNumberBE(kG.subarray(1 + FIELD_BYTES));
    const c3 = sm3(x2, plaintext, y2);
    return der.sequence(der.integer(c1x), der.integer(c1y), der.octetString(c3), der.octetString(xor(plaintext, mask)));
  }
}

/** SM2 decryption (GB/T 32918.4 §7.1); null for any ciphertext that is malformed or fails its check value. */
function decryptWith(key: Sm2Private, ciphertext: Buffer): Buffer | null {
  let c1: Sm2Point;
  let c3: Buffer;
  let c2: Buffer;
  try {
    const outer = new DerReader(ciphertext);
    const body = outer.sequence();
    outer.end();
    const x = body.integer();
    const y = body.integer();
    c3 = body.octetString();
    c2 = body.octetString();
    body.end();
    c1 = Point.fromAffine({ x, y });
    c1.assertValidity();
  } catch {
    return null; // not DER of the GM/T 0009 shape, or C1 not on the curve
  }
  if (c3.length !== 32) return null;
  const shared = c1.multiply(key.scalar);
  const x2 = field(shared.x);
  const y2 = field(shared.y);
  const mask = kdf(Buffer.concat([x2, y2]), c2.length);
  if (c2.length > 0 && mask.every((byte) => byte === 0)) return null;
  const plaintext = xor(c2, mask);
  return timingSafeEqual(sm3(x2, plaintext, y2), c3) ? plaintext : null;
}

export const sm2: KeyFamily = {
  generate: pkcs8.generate,
  publicKey: pkcs8.publicKey,
  importMaterial: pkcs8.importMaterial,

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(material);
    return signDigest(key, digestOf(key, message, type));
  },

  verify(spec, material, algorithm, message, type, signature) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(material);
    return verifyDigest(key, digestOf(key, message, type), signature);
  },

  encrypt(spec, material, algorithm, plaintext) {
    requireAlgorithm(spec, algorithm);
    return encryptTo(privateKeyOf(material).point, plaintext);
  },

  decrypt(spec, material, algorithm, ciphertext) {
    requireAlgorithm(spec, algorithm);
    const plaintext = decryptWith(privateKeyOf(material), ciphertext);
    if (!plaintext) throw new KmsError('InvalidCiphertextException', '');
    return plaintext;
  },

  deriveSharedSecret(spec, material, peerSpki) {
    requireAlgorithm(spec, 'ECDH');
    let peer: Sm2Point;
    try {
      peer = pointOfSpki(peerSpki);
    } catch {
      throw new KmsError('ValidationException', ''); // as AWS answers a malformed peer key
    }
    return Buffer.from(field(peer.multiply(privateKeyOf(material).scalar).x));
  },
};
