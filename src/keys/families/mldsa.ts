import { randomBytes } from 'node:crypto';

import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';

import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../model/types.gen.js';
import { checkSigningRequest } from '../algorithms.js';
import { der, DerError, DerReader, oidBytes } from '../der.js';
import { incorrectMaterial, type KeyFamily } from '../family.js';
import { MaterialCache } from '../material-cache.js';

/*
 * ML-DSA (FIPS 204) via @noble/post-quantum: OpenSSL 3.0 predates it. The material is the 32-byte seed ξ;
 * keys are derived from it by ML-DSA.KeyGen_internal. RAW is pure ML-DSA with an empty context (hedged
 * signing, as FIPS 204 recommends); EXTERNAL_MU signs the caller's μ directly (FIPS 204 §6.2).
 */

type Dsa = typeof ml_dsa44;

interface Variant {
  readonly dsa: Dsa;
  /** id-ml-dsa-44/65/87 (NIST CSOR; RFC 9881). */
  readonly oid: string;
}

const VARIANTS: Partial<Record<KeySpec, Variant>> = {
  ML_DSA_44: { dsa: ml_dsa44, oid: '2.16.840.1.101.3.4.3.17' },
  ML_DSA_65: { dsa: ml_dsa65, oid: '2.16.840.1.101.3.4.3.18' },
  ML_DSA_87: { dsa: ml_dsa87, oid: '2.16.840.1.101.3.4.3.19' },
};

function variantOf(spec: KeySpec): Variant {
  const found = VARIANTS[spec];
  if (!found) throw new Error(`${spec} is not an ML-DSA key spec`);
  return found;
}

interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

// Key generation from the seed costs about as much as a signature, so expanded keys are kept per seed.
const keyPairs = new MaterialCache<KeyPair>(256);

function keyPairOf(spec: KeySpec, seed: Buffer): KeyPair {
  const { dsa } = variantOf(spec);
  if (seed.length !== 32) throw new Error('ML-DSA material must be a 32-byte seed');
  // The cache is keyed by material only; the spec picks the expansion, so keep it in the key as well.
  return keyPairs.get(Buffer.concat([Buffer.from(spec), seed]), () => dsa.keygen(seed));
}

/** SubjectPublicKeyInfo { AlgorithmIdentifier { id-ml-dsa-* } (no parameters), BIT STRING pk }. */
function encodeSpki(spec: KeySpec, publicKey: Uint8Array): Buffer {
  return der.sequence(der.sequence(der.oid(variantOf(spec).oid)), der.bitString(publicKey));
}

/** The raw public key from a SubjectPublicKeyInfo of this spec's parameter set, or null. */
function decodeSpki(spec: KeySpec, spki: Buffer): Uint8Array | null {
  try {
    const outer = new DerReader(spki);
    const body = outer.sequence();
    outer.end();
    const algorithm = body.sequence();
    if (!algorithm.oid().equals(oidBytes(variantOf(spec).oid))) return null;
    algorithm.end();
    const publicKey = body.bitString();
    body.end();
    return publicKey.length === variantOf(spec).dsa.lengths.publicKey ? publicKey : null;
  } catch (error) {
    if (error instanceof DerError) return null;
    throw error;
  }
}

function verifyRaw(spec: KeySpec, publicKey: Uint8Array, message: Buffer, type: MessageType, signature: Buffer): boolean {
  const { dsa } = variantOf(spec);
  if (signature.length !== dsa.lengths.signature) return false;
  return type === 'EXTERNAL_MU'
    ? dsa.internal.verify(signature, message, publicKey, { externalMu: true })
    : dsa.verify(signature, message, publicKey);
}

/** Verifies with a DER SubjectPublicKeyInfo alone (what Verify needs; also how test vectors come). */
export function verifyWithPublicKey(spec: KeySpec, spki: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType, signature: Buffer): boolean {
  checkSigningRequest(spec, algorithm, message, type);
  const publicKey = decodeSpki(spec, spki);
  if (!publicKey) throw new Error('not an SPKI of this ML-DSA parameter set');
  return verifyRaw(spec, publicKey, message, type, signature);
}

/**
 * The seed of an imported ML-DSA private key: PKCS#8 PrivateKeyInfo { version, { id-ml-dsa-* }, OCTET STRING
 * ML-DSA-PrivateKey } where ML-DSA-PrivateKey (RFC 9881) is the seed ([0] IMPLICIT OCTET STRING), the expanded
 * key, or both. Trent keeps the seed, so an expanded key alone cannot be imported; given both, they must agree.
 */
function importedSeed(spec: KeySpec, imported: Buffer): Buffer {
  const { dsa, oid } = variantOf(spec);
  let seed: Buffer;
  let expanded: Buffer | undefined;
  try {
    const outer = new DerReader(imported);
    const info = outer.sequence();
    outer.end();
    if (info.integer() > 1n) throw new DerError('unknown PKCS #8 version');
    const algorithm = info.sequence();
    if (!algorithm.oid().equals(oidBytes(oid))) throw incorrectMaterial(spec, `its algorithm is not id-ml-dsa for ${spec}`);
    algorithm.end();
    const privateKey = new DerReader(info.octetString());
    if (privateKey.nextTag() === 0x04) throw incorrectMaterial(spec, 'it holds the expanded private key without its seed');
    if (privateKey.nextTag() === 0x30) {
      const both = privateKey.sequence();
      seed = both.octetString();
      expanded = both.octetString();
      both.end();
    } else {
      seed = privateKey.implicit(0);
    }
    privateKey.end();
  } catch (error) {
    if (error instanceof DerError) throw incorrectMaterial(spec, 'it is not a DER-encoded PKCS #8 ML-DSA private key');
    throw error;
  }
  if (seed.length !== 32) throw incorrectMaterial(spec, 'its seed is not 32 bytes');
  if (expanded && !Buffer.from(dsa.keygen(seed).secretKey).equals(expanded)) {
    throw incorrectMaterial(spec, 'its expanded private key is not the one its seed makes');
  }
  return Buffer.from(seed);
}

export const mldsa: KeyFamily = {
  async generate() {
    return randomBytes(32);
  },

  importMaterial: importedSeed,

  /** PKCS #8 holding the seed alone ([0] IMPLICIT OCTET STRING, RFC 9881), the form importedSeed reads. */
  exportMaterial(spec, material) {
    const seed = Buffer.concat([Buffer.of(0x80, material.length), material]);
    return der.sequence(der.integer(0n), der.sequence(der.oid(variantOf(spec).oid)), der.octetString(seed));
  },

  publicKey(spec, material) {
    return encodeSpki(spec, keyPairOf(spec, material).publicKey);
  },

  sign(spec, material, algorithm, message, type) {
    checkSigningRequest(spec, algorithm, message, type);
    const { dsa } = variantOf(spec);
    const { secretKey } = keyPairOf(spec, material);
    const signature = type === 'EXTERNAL_MU'
      ? dsa.internal.sign(message, secretKey, { externalMu: true })
      : dsa.sign(message, secretKey);
    return Buffer.from(signature);
  },

  verify(spec, material, algorithm, message, type, signature) {
    checkSigningRequest(spec, algorithm, message, type);
    return verifyRaw(spec, keyPairOf(spec, material).publicKey, message, type, signature);
  },
};
