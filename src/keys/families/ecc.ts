import {
  createECDH, createPrivateKey, createPublicKey, diffieHellman, type ECDH, generateKeyPair, type KeyObject, sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';

import { invert } from '@noble/curves/abstract/modular.js';
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

import { KmsError } from '../../model/errors.js';
import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest, requireAlgorithm, SIGNING, signedDigest } from '../algorithms.js';
import { decodeSignature, DerError, DerReader, encodeSignature, oidBytes } from '../der.js';
import type { KeyFamily } from '../family.js';
import { MaterialCache } from '../material-cache.js';

/*
 * RAW signing and verifying go straight to OpenSSL (crypto.sign/verify). OpenSSL cannot sign a ready digest
 * through Node, so DIGEST signing takes the nonce point k·G from OpenSSL (an ECDH key pair is exactly (k, k·G),
 * made in constant time by OpenSSL's CSPRNG) and finishes s = k⁻¹(e + r·d) mod n in bigint arithmetic. The
 * modular inverses are computed for a batch of nonces at once (Montgomery's trick); that is what brings DIGEST
 * signing near OpenSSL's own rate. DIGEST verification has only public inputs and uses @noble/curves.
 */

interface Curve {
  /** OpenSSL's curve name, as Node's KeyObject details and createECDH use it. */
  readonly openssl: string;
  /** The named-curve OID a SubjectPublicKeyInfo carries (RFC 5480). */
  readonly oid: Buffer;
  readonly noble: ECDSA;
  readonly order: bigint;
  /** Bytes of a field element (x coordinate, shared secret). */
  readonly fieldBytes: number;
}

function curve(openssl: string, oid: string, noble: ECDSA, fieldBytes: number): Curve {
  return { openssl, oid: oidBytes(oid), noble, order: noble.Point.CURVE().n, fieldBytes };
}

const CURVES: Partial<Record<KeySpec, Curve>> = {
  ECC_NIST_P256: curve('prime256v1', '1.2.840.10045.3.1.7', p256, 32),
  ECC_NIST_P384: curve('secp384r1', '1.3.132.0.34', p384, 48),
  ECC_NIST_P521: curve('secp521r1', '1.3.132.0.35', p521, 66),
  ECC_SECG_P256K1: curve('secp256k1', '1.3.132.0.10', secp256k1, 32),
};

const EC_PUBLIC_KEY = oidBytes('1.2.840.10045.2.1');

/**
 * Whether a SubjectPublicKeyInfo names `curve` (RFC 5480 namedCurve). OpenSSL also accepts explicit curve
 * parameters and matches them to a named curve even when they are subtly wrong (Wycheproof "no cofactor").
 */
function namesCurve(spki: Buffer, wanted: Curve): boolean {
  try {
    const algorithm = new DerReader(spki).sequence().sequence();
    return algorithm.oid().equals(EC_PUBLIC_KEY) && algorithm.oid().equals(wanted.oid);
  } catch (error) {
    if (error instanceof DerError) return false;
    throw error;
  }
}

function curveOf(spec: KeySpec): Curve {
  const found = CURVES[spec];
  if (!found) throw new Error(`${spec} is not an ECC key spec`);
  return found;
}

interface EcPrivate {
  readonly key: KeyObject;
  readonly scalar: bigint;
  readonly spki: Buffer;
}

interface EcPublic {
  readonly key: KeyObject;
  /** SEC1 uncompressed point, for @noble/curves. */
  readonly point: Uint8Array;
}

const privateKeys = new MaterialCache<EcPrivate>();
const publicKeys = new MaterialCache<EcPublic>();

function requireCurve(key: KeyObject, wanted: Curve): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== wanted.openssl) {
    throw new Error('key is not on the expected curve');
  }
}

function privateKeyOf(spec: KeySpec, material: Buffer): EcPrivate {
  const wanted = curveOf(spec);
  return privateKeys.get(material, () => {
    const key = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    requireCurve(key, wanted);
    const { d } = key.export({ format: 'jwk' });
    if (!d) throw new Error('EC private key without a scalar');
    return {
      key, scalar: bytesToNumberBE(Buffer.from(d, 'base64url')),
      spki: createPublicKey(key).export({ format: 'der', type: 'spki' }),
    };
  });
}

function publicKeyOf(spec: KeySpec, spki: Buffer): EcPublic {
  const wanted = curveOf(spec);
  return publicKeys.get(spki, () => {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    requireCurve(key, wanted);
    const { x, y } = key.export({ format: 'jwk' });
    if (!x || !y) throw new Error('EC public key without coordinates');
    const point = Buffer.concat([Buffer.from([4]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]);
    return { key, point };
  });
}

/** A single-use signing nonce: k⁻¹ mod n and r = x(k·G) mod n. */
interface Nonce {
  readonly kInverse: bigint;
  readonly r: bigint;
}

const NONCE_BATCH = 16;

/** Per curve, nonces ready for use; each is taken out once, so none is ever used twice. */
class NoncePool {
  private readonly ready: Nonce[] = [];
  private readonly ecdh: ECDH;

  constructor(private readonly curve: Curve) {
    this.ecdh = createECDH(curve.openssl);
  }

  take(): Nonce {
    if (this.ready.length === 0) this.refill();
    return this.ready.pop()!;
  }

  private refill(): void {
    const { order: n, fieldBytes } = this.curve;
    const ks: bigint[] = [];
    const rs: bigint[] = [];
    while (ks.length < NONCE_BATCH) {
      const point = this.ecdh.generateKeys();
      const r = bytesToNumberBE(point.subarray(1, 1 + fieldBytes)) % n;
      if (r === 0n) continue;
      ks.push(bytesToNumberBE(this.ecdh.getPrivateKey()));
      rs.push(r);
    }
    // Montgomery's trick: one inversion of the product, then each inverse from prefix products.
    const prefix: bigint[] = [];
    let product = 1n;
    for (const k of ks) {
      prefix.push(product);
      product = (product * k) % n;
    }
    let inverse = invert(product, n);
    for (let i = ks.length - 1; i >= 0; i--) {
      this.ready.push({ kInverse: (inverse * prefix[i]!) % n, r: rs[i]! });
      inverse = (inverse * ks[i]!) % n;
    }
  }
}

const noncePools = new Map<Curve, NoncePool>();

/** The integer e of a digest, truncated to the bit length of n (SEC 1 §4.1.3 step 5). */
function digestInteger(digest: Buffer, order: bigint): bigint {
  const excess = digest.length * 8 - order.toString(2).length;
  const e = bytesToNumberBE(digest);
  return excess > 0 ? e >> BigInt(excess) : e;
}

function signDigest(curve: Curve, scalar: bigint, digest: Buffer): Buffer {
  let pool = noncePools.get(curve);
  if (!pool) noncePools.set(curve, pool = new NoncePool(curve));
  const n = curve.order;
  const e = digestInteger(digest, n);
  for (;;) {
    const { kInverse, r } = pool.take();
    const s = (kInverse * ((e + r * scalar) % n)) % n;
    if (s !== 0n) return encodeSignature(r, s);
  }
}

function verifyDigest(curve: Curve, key: EcPublic, digest: Buffer, signature: Buffer): boolean {
  const parsed = decodeSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  const n = curve.order;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const nBytes = Math.ceil(n.toString(2).length / 8);
  const compact = Buffer.concat([numberToBytesBE(r, nBytes), numberToBytesBE(s, nBytes)]);
  return curve.noble.verify(compact, digest, key.point, { prehash: false, lowS: false, format: 'compact' });
}

const nodeHash = (algorithm: SigningAlgorithmSpec) => SIGNING[algorithm].hash!;

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  const curve = curveOf(spec);
  const key = publicKeyOf(spec, spki);
  if (type === 'RAW') {
    // OpenSSL re-encodes the parsed signature and refuses anything that is not canonical DER.
    return verify(nodeHash(algorithm), message, { key: key.key, dsaEncoding: 'der' }, signature);
  }
  return verifyDigest(curve, key, signedDigest(algorithm, message, type), signature);
}

/** Parses a peer's SubjectPublicKeyInfo for ECDH; AWS answers a malformed or foreign key with a bare ValidationException. */
function peerPublicKey(spki: Buffer, wanted: Curve): KeyObject {
  if (!namesCurve(spki, wanted)) throw new KmsError('ValidationException', '');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw new KmsError('ValidationException', '');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== wanted.openssl) {
    throw new KmsError('ValidationException', '');
  }
  return key;
}

const generateEc = promisify(generateKeyPair);

export const ecc: KeyFamily = {
  async generate(spec) {
    const { privateKey } = await generateEc('ec', { namedCurve: curveOf(spec).openssl });
    return privateKey.export({ format: 'der', type: 'pkcs8' });
  },

  publicKey(spec, material) {
    return privateKeyOf(spec, material).spki;
  },

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(spec, material);
    if (type === 'RAW') return sign(nodeHash(algorithm), message, { key: key.key, dsaEncoding: 'der' });
    return signDigest(curveOf(spec), key.scalar, message);
  },

  verify(spec, material, algorithm, message, type, signature) {
    return verifyWithPublicKey(spec, privateKeyOf(spec, material).spki, algorithm, message, type, signature);
  },

  deriveSharedSecret(spec, material, peerSpki) {
    requireAlgorithm(spec, 'ECDH');
    const peer = peerPublicKey(peerSpki, curveOf(spec));
    return diffieHellman({ privateKey: privateKeyOf(spec, material).key, publicKey: peer });
  },
};
