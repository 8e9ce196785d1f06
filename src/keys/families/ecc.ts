import { createECDH, createHash, createPublicKey, diffieHellman, type ECDH, type KeyObject, sign, verify } from 'node:crypto';

import { invert, mod } from '@noble/curves/abstract/modular.js';
import type { ECDSA, WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, numberToBytesBE } from '@noble/curves/utils.js';

import { KmsError } from '../../model/errors.js';
import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest, requireAlgorithm, SIGNING } from '../algorithms.js';
import { decodeSignature, der, DerError, DerReader, ecPrivateKeyScalar, encodeSignature, oidBytes } from '../der.js';
import { generateKeyPairAsync, type KeyFamily, pkcs8Family, spkiKeys } from '../family.js';
import {
  type Group, group, invertAll, maskedScalar, maskMultiple, nonce, NONCE_BATCH, Pool, uniformMask,
} from './blinding.js';

/*
 * RAW signing and verifying go straight to OpenSSL (crypto.sign/verify). OpenSSL cannot sign a ready digest
 * through Node, so DIGEST signing takes k·G from OpenSSL and finishes s = k⁻¹(e + r·d) mod n in BigInt
 * arithmetic, blinded as blinding.ts explains. DIGEST verification has only public inputs and is turned into an
 * OpenSSL verification of a fixed message under a shifted public key (verifyDigest).
 */

interface Curve {
  /** OpenSSL's curve name, as Node's KeyObject details and createECDH use it. */
  readonly openssl: string;
  /** The named-curve OID a SubjectPublicKeyInfo carries (RFC 5480). */
  readonly oid: Buffer;
  /** The SPKI AlgorithmIdentifier { id-ecPublicKey, namedCurve }. */
  readonly algorithm: Buffer;
  readonly noble: ECDSA;
  readonly group: Group;
}

const EC_PUBLIC_KEY = '1.2.840.10045.2.1';

function curve(openssl: string, oid: string, noble: ECDSA): Curve {
  return {
    openssl, oid: oidBytes(oid), algorithm: der.sequence(der.oid(EC_PUBLIC_KEY), der.oid(oid)), noble,
    group: group(openssl, noble.Point.CURVE().n),
  };
}

const CURVES: Partial<Record<KeySpec, Curve>> = {
  ECC_NIST_P256: curve('prime256v1', '1.2.840.10045.3.1.7', p256),
  ECC_NIST_P384: curve('secp384r1', '1.3.132.0.34', p384),
  ECC_NIST_P521: curve('secp521r1', '1.3.132.0.35', p521),
  ECC_SECG_P256K1: curve('secp256k1', '1.3.132.0.10', secp256k1),
};

/**
 * Whether a SubjectPublicKeyInfo names `curve` (RFC 5480 namedCurve). OpenSSL also accepts explicit curve
 * parameters and matches them to a named curve even when they are subtly wrong (Wycheproof "no cofactor").
 */
function namesCurve(spki: Buffer, wanted: Curve): boolean {
  try {
    const algorithm = new DerReader(spki).sequence().sequence();
    return algorithm.oid().equals(oidBytes(EC_PUBLIC_KEY)) && algorithm.oid().equals(wanted.oid);
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

interface EcPublic {
  /** The KeyObject OpenSSL verifies with (a private one for the key's own material). */
  readonly key: KeyObject;
  readonly curve: Curve;
  readonly point: WeierstrassPoint<bigint>;
}

interface EcPrivate extends EcPublic {
  /** d + c·n (blinding.ts): the only form in which the private scalar is kept. */
  readonly maskedScalar: bigint;
}

/** The curve and point of an EC key, whichever of ours it is on. */
function publicParts(publicKey: KeyObject): Omit<EcPublic, 'key'> {
  const named = Object.values(CURVES).find((c) => c.openssl === publicKey.asymmetricKeyDetails?.namedCurve);
  if (publicKey.asymmetricKeyType !== 'ec' || !named) throw new Error('not a key on a supported curve');
  const { x, y } = publicKey.export({ format: 'jwk' });
  if (!x || !y) throw new Error('EC public key without coordinates');
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x, 'base64url'), Buffer.from(y, 'base64url')]);
  return { curve: named, point: named.noble.Point.fromBytes(point) };
}

const pkcs8 = pkcs8Family({
  newKeyPair: (spec) => generateKeyPairAsync('ec', { namedCurve: curveOf(spec).openssl }),
  view(_key, spki, material) {
    const parts = publicParts(createPublicKey({ key: spki, format: 'der', type: 'spki' }));
    return { ...parts, maskedScalar: maskedScalar(parts.curve.group, ecPrivateKeyScalar(material)) };
  },
  mismatch: (spec, key) => (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === curveOf(spec).openssl
    ? undefined : `it is not a private key on the curve ${curveOf(spec).openssl}`),
});
const publicKeys = spkiKeys(publicParts);

/** Cached entries are per material, so the spec a caller names is checked on every use. */
function onCurve<T extends { curve: Curve }>(entry: T, spec: KeySpec): T {
  if (entry.curve !== curveOf(spec)) throw new Error('key is not on the expected curve');
  return entry;
}

const privateKeyOf = (spec: KeySpec, material: Buffer): EcPrivate => onCurve(pkcs8.keyOf(material), spec);

/** A DIGEST signing nonce blinded by a uniform b: r = x(k·G) mod n, (k·b)⁻¹, b, r·b, and a fresh c·n to re-mask d. */
interface SigningNonce {
  readonly r: bigint;
  readonly inverse: bigint;
  readonly b: bigint;
  readonly rb: bigint;
  readonly keyMask: bigint;
}

const signingNonces = new Map<Curve, Pool<SigningNonce>>();

function signingNonceOf(curve: Curve): SigningNonce {
  let pool = signingNonces.get(curve);
  if (!pool) {
    const g = curve.group;
    signingNonces.set(curve, pool = new Pool(() => {
      const made: Array<{ r: bigint; b: bigint; rb: bigint }> = [];
      const products: bigint[] = [];
      for (let i = 0; i < NONCE_BATCH; i++) {
        const { k, x } = nonce(g);
        const r = x % g.order;
        if (r === 0n) continue;
        const b = uniformMask(g);
        made.push({ r, b, rb: (r * b) % g.order });
        products.push((k * b) % g.order); // k·b, uniform: the only nonce value that is inverted
      }
      return invertAll(products, g.order).map((inverse, i) => ({ ...made[i]!, inverse, keyMask: maskMultiple(g) }));
    }));
  }
  return pool.take();
}

/** The integer e of a digest, truncated to the bit length of n (SEC 1 §4.1.3 step 5). */
function digestInteger(digest: Buffer, { bits }: Group): bigint {
  const excess = digest.length * 8 - bits;
  const e = bytesToNumberBE(digest);
  return excess > 0 ? e >> BigInt(excess) : e;
}

function signDigest(key: EcPrivate, digest: Buffer): Buffer {
  const n = key.curve.group.order;
  const e = digestInteger(digest, key.curve.group);
  for (;;) {
    const { r, inverse, b, rb, keyMask } = signingNonceOf(key.curve);
    // b·(e + r·d) with d re-masked by a fresh c·n, then (k·b)⁻¹ · b·(e + r·d) = k⁻¹(e + r·d): every operand
    // on the way is public, a mask, or uniform (blinding.ts).
    const s = (inverse * ((e * b + rb * (key.maskedScalar + keyMask)) % n)) % n;
    if (s !== 0n) return encodeSignature(r, s);
  }
}

const nodeHash = (algorithm: SigningAlgorithmSpec) => SIGNING[algorithm].hash!;

const EMPTY = Buffer.alloc(0);
/** e0 per curve and hash: the digest of the empty message verifyDigest has OpenSSL check. */
const emptyDigests = new Map<string, bigint>();
/** Per curve, an ECDH object used only to have OpenSSL compute t·G for public t. */
const publicMultipliers = new Map<Curve, ECDH>();

function multipleOfG(curve: Curve, t: bigint): WeierstrassPoint<bigint> {
  let ecdh = publicMultipliers.get(curve);
  if (!ecdh) publicMultipliers.set(curve, ecdh = createECDH(curve.openssl));
  ecdh.setPrivateKey(numberToBytesBE(t, curve.group.bytes));
  return curve.noble.Point.fromBytes(ecdh.getPublicKey());
}

/**
 * ECDSA verification of a ready digest e, done by OpenSSL (about 20 times @noble/curves' speed), which only
 * verifies messages it hashes itself. It is asked to verify the empty message, digest e0, under
 * Q' = Q + t·G with t = (e − e0)·r⁻¹: it checks x(s⁻¹(e0·G + r·Q')) = r, and s⁻¹(e0·G + r·Q + (e − e0)·G) is
 * exactly the point s⁻¹(e·G + r·Q) the check for e needs. All inputs are public.
 */
function verifyDigest(key: EcPublic, hash: string, digest: Buffer, signature: Buffer): boolean {
  const parsed = decodeSignature(signature);
  if (!parsed) return false;
  const { r, s } = parsed;
  const { curve } = key;
  const n = curve.group.order;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  let e0 = emptyDigests.get(`${curve.openssl} ${hash}`);
  if (e0 === undefined) emptyDigests.set(`${curve.openssl} ${hash}`, e0 = digestInteger(createHash(hash).digest(), curve.group));
  const t = mod((digestInteger(digest, curve.group) - e0) * invert(r, n), n);
  const shifted = t === 0n ? key.point : key.point.add(multipleOfG(curve, t));
  if (shifted.is0()) {
    // Q = −t·G has no SPKI; the point to check is then s⁻¹·e0·G.
    const u = mod(e0 * invert(s, n), n);
    return u !== 0n && mod(curve.noble.Point.BASE.multiply(u).x, n) === r;
  }
  const shiftedKey = createPublicKey({
    key: der.sequence(curve.algorithm, der.bitString(shifted.toBytes(false))), format: 'der', type: 'spki',
  });
  // OpenSSL re-encodes the parsed signature and refuses anything that is not canonical DER.
  return verify(hash, EMPTY, { key: shiftedKey, dsaEncoding: 'der' }, signature);
}

/** Verification once the request is checked, with the key's own material or a bare SPKI. */
function verifyWith(key: EcPublic, algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType,
  signature: Buffer): boolean {
  const hash = nodeHash(algorithm);
  if (type === 'RAW') return verify(hash, message, { key: key.key, dsaEncoding: 'der' }, signature);
  return verifyDigest(key, hash, message, signature);
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  return verifyWith(onCurve(publicKeys(spki), spec), algorithm, message, type, signature);
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

export const ecc: KeyFamily = {
  generate: pkcs8.generate,
  publicKey: pkcs8.publicKey,
  importMaterial: pkcs8.importMaterial,

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const key = privateKeyOf(spec, material);
    if (type === 'RAW') return sign(nodeHash(algorithm), message, { key: key.key, dsaEncoding: 'der' });
    return signDigest(key, message);
  },

  verify(spec, material, algorithm, message, type, signature) {
    checkSigningRequest(spec, algorithm, message, type);
    return verifyWith(privateKeyOf(spec, material), algorithm, message, type, signature);
  },

  deriveSharedSecret(spec, material, peerSpki) {
    requireAlgorithm(spec, 'ECDH');
    const peer = peerPublicKey(peerSpki, curveOf(spec));
    return diffieHellman({ privateKey: privateKeyOf(spec, material).key, publicKey: peer });
  },
};
