import { createHash } from 'node:crypto';

import { KmsError } from '../model/errors.js';
import type {
  EncryptionAlgorithmSpec, KeyAgreementAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from '../model/types.gen.js';
import { KEY_SPECS } from './specs.js';

type Algorithm = SigningAlgorithmSpec | EncryptionAlgorithmSpec | MacAlgorithmSpec | KeyAgreementAlgorithmSpec;

/** Every algorithm KEY_SPECS lists for each spec, under any of its usages: built once, asked on every request. */
const ALGORITHMS_OF = Object.fromEntries(Object.entries(KEY_SPECS).map(([spec, { usages }]) => [spec,
  new Set<Algorithm>(Object.values(usages).flatMap((usage) => [
    ...(usage.SigningAlgorithms ?? []), ...(usage.EncryptionAlgorithms ?? []), ...(usage.MacAlgorithms ?? []),
    ...(usage.KeyAgreementAlgorithms ?? []),
  ]))])) as Readonly<Partial<Record<KeySpec, ReadonlySet<Algorithm>>>>;

/**
 * Refuses an algorithm that KEY_SPECS does not list for the spec, with AWS's error (recorded for HMAC keys and
 * observed for signing: "Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P521.").
 * Every family calls it first, so the rule and its text live here only.
 */
export function requireAlgorithm(spec: KeySpec, algorithm: Algorithm): void {
  if (ALGORITHMS_OF[spec]?.has(algorithm)) return;
  throw new KmsError('InvalidKeyUsageException', `Algorithm ${algorithm} is incompatible with key spec ${spec}.`);
}

/** How a signing algorithm treats Sign/Verify's Message: which MessageTypes it takes and the digest it expects. */
interface SigningRule {
  /** Node's name of the hash the algorithm starts with, for RAW messages; absent where the scheme hashes itself. */
  readonly hash?: 'sha256' | 'sha384' | 'sha512' | 'sm3';
  /** Length DIGEST (or EXTERNAL_MU) messages must have. */
  readonly digestLength: number;
  readonly messageTypes: readonly MessageType[];
}

const RAW_OR_DIGEST: readonly MessageType[] = ['RAW', 'DIGEST'];

export const SIGNING: Readonly<Record<SigningAlgorithmSpec, SigningRule>> = {
  RSASSA_PSS_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: RAW_OR_DIGEST },
  RSASSA_PSS_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: RAW_OR_DIGEST },
  RSASSA_PSS_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: RAW_OR_DIGEST },
  RSASSA_PKCS1_V1_5_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: RAW_OR_DIGEST },
  RSASSA_PKCS1_V1_5_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: RAW_OR_DIGEST },
  RSASSA_PKCS1_V1_5_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: RAW_OR_DIGEST },
  ECDSA_SHA_256: { hash: 'sha256', digestLength: 32, messageTypes: RAW_OR_DIGEST },
  ECDSA_SHA_384: { hash: 'sha384', digestLength: 48, messageTypes: RAW_OR_DIGEST },
  ECDSA_SHA_512: { hash: 'sha512', digestLength: 64, messageTypes: RAW_OR_DIGEST },
  // For SM2DSA a DIGEST is e = SM3(Z_A || M), computed by the caller with whatever distinguishing ID it likes.
  SM2DSA: { hash: 'sm3', digestLength: 32, messageTypes: RAW_OR_DIGEST },
  // AWS: ED25519_SHA_512 requires RAW, ED25519_PH_SHA_512 requires DIGEST (a SHA-512 digest, prehashed again).
  ED25519_SHA_512: { digestLength: 64, messageTypes: ['RAW'] },
  ED25519_PH_SHA_512: { digestLength: 64, messageTypes: ['DIGEST'] },
  // ML-DSA signs RAW messages purely, or a caller-computed 64-byte μ (FIPS 204 §6.2); no DIGEST.
  ML_DSA_SHAKE_256: { digestLength: 64, messageTypes: ['RAW', 'EXTERNAL_MU'] },
};

/**
 * Checks a Sign/Verify request before any cryptography: the algorithm fits the key spec, the MessageType fits
 * the algorithm, and a DIGEST or EXTERNAL_MU message has the length the algorithm's hash produces.
 */
export function checkSigningRequest(spec: KeySpec, algorithm: SigningAlgorithmSpec, message: Buffer,
  type: MessageType): void {
  requireAlgorithm(spec, algorithm);
  const rule = SIGNING[algorithm];
  if (!rule.messageTypes.includes(type)) {
    throw new KmsError('ValidationException',
      `MessageType ${type} is not supported for signing algorithm ${algorithm}. Use ${rule.messageTypes.join(' or ')}.`);
  }
  if (type !== 'RAW' && message.length !== rule.digestLength) {
    throw new KmsError('ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
  }
}

/**
 * The digest an RSA, ECDSA or SM2 signature covers: the message hashed with the algorithm's hash for RAW,
 * the message itself for DIGEST (never hashed again). Call after `checkSigningRequest`.
 */
export function signedDigest(algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType): Buffer {
  if (type === 'DIGEST') return message;
  const { hash } = SIGNING[algorithm];
  if (!hash) throw new Error(`${algorithm} has no separate hash step`);
  return createHash(hash).update(message).digest();
}
