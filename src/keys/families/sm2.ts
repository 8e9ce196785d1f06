import {
  createECDH, createHash, createPrivateKey, createPublicKey, type ECDH, generateKeyPair, timingSafeEqual,
} from 'node:crypto';
import { promisify } from 'node:util';

import { invert } from '@noble/curves/abstract/modular.js';
import { weierstrass, type WeierstrassOpts, type WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

import { KmsError } from '../../model/errors.js';
import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest, requireAlgorithm } from '../algorithms.js';
import { decodeSignature, der, DerError, DerReader, encodeSignature, oidBytes } from '../der.js';
import type { KeyFamily } from '../family.js';
import { MaterialCache } from '../material-cache.js';

/*
 * SM2 (GB/T 32918, GM/T 0003): OpenSSL generates the keys and the nonces (an ECDH key pair on the SM2 curve is
 * (k, k·G)) and computes SM3; Node exposes neither SM2DSA, SM2 encryption nor ECDH with parsed SM2 keys, so those
 * equations are written here over @noble/curves' point arithmetic.
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
  readonly scalar: bigint;
  /** (1 + d)⁻¹ mod n, fixed per key and needed by every signature. */
  readonly signingFactor: bigint;
  readonly spki: Buffer;
}

const privateKeys = new MaterialCache<Sm2Private>();
const publicKeys = new MaterialCache<Sm2Public>();

const EC_PUBLIC_KEY = oidBytes('1.2.840.10045.2.1');
const SM2_CURVE = oidBytes('1.2.156.10197.1.301');

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

/** d from PKCS#8 PrivateKeyInfo { version, algorithm, OCTET STRING ECPrivateKey { version, OCTET STRING d, … } }. */
function scalarOfPkcs8(material: Buffer): bigint {
  const info = new DerReader(material).sequence();
  info.integer();
  info.sequence();
  const ecPrivateKey = new DerReader(info.octetString()).sequence();
  ecPrivateKey.integer();
  return bytesToNumberBE(ecPrivateKey.octetString());
}

function privateKeyOf(material: Buffer): Sm2Private {
  return privateKeys.get(material, () => {
    const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
    const point = pointOfSpki(spki);
    const scalar = scalarOfPkcs8(material);
    return { scalar, signingFactor: invert(1n + scalar, n), spki, point, userHash: userHash(point) };
  });
}

function publicKeyOf(spki: Buffer): Sm2Public {
  return publicKeys.get(spki, () => {
    const point = pointOfSpki(spki);
    return { point, userHash: userHash(point) };
  });
}

let nonceSource: ECDH | undefined;

/** A fresh k in [1, n-1] with k·G, from OpenSSL. */
function nonce(): { k: bigint; kG: Buffer } {
  nonceSource ??= createECDH(OPENSSL_CURVE);
  const kG = nonceSource.generateKeys();
  return { k: bytesToNumberBE(nonceSource.getPrivateKey()), kG };
}

function digestOf(key: Sm2Public, message: Buffer, type: MessageType): bigint {
  return bytesToNumberBE(type === 'DIGEST' ? message : sm3(key.userHash, message));
}

/** SM2DSA signature generation (GB/T 32918.2 §6.1, steps A3–A7). */
function signDigest(key: Sm2Private, e: bigint): Buffer {
  for (;;) {
    const { k, kG } = nonce();
    const r = (e + bytesToNumberBE(kG.subarray(1, 1 + FIELD_BYTES))) % n;
    if (r === 0n || r + k === n) continue;
    const s = (key.signingFactor * ((k - r * key.scalar) % n + n)) % n;
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
    const { k, kG } = nonce();
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

const generateEc = promisify(generateKeyPair);

export const sm2: KeyFamily = {
  async generate() {
    const { privateKey } = await generateEc('ec', { namedCurve: OPENSSL_CURVE });
    return privateKey.export({ format: 'der', type: 'pkcs8' });
  },

  publicKey(_spec, material) {
    return privateKeyOf(material).spki;
  },

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
