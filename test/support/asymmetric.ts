import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ed25519ph } from '@noble/curves/ed25519.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';

/**
 * Independent checks for the asymmetric e2e tests: everything here verifies Trent's output with other
 * implementations (OpenSSL's CLI, Node's crypto, @noble) and never with Trent's own key families.
 */

/** A scratch directory for the openssl CLI's files. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'trent-asym-'));
  private count = 0;

  file(content: Buffer | string, name = `f${this.count++}`): string {
    const path = join(this.dir, name);
    writeFileSync(path, content);
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

type Hash = 'sha256' | 'sha384' | 'sha512' | 'sm3';

export function hashOf(algorithm: string): Hash {
  if (algorithm === 'SM2DSA') return 'sm3';
  if (algorithm.endsWith('384')) return 'sha384';
  if (algorithm.endsWith('512')) return 'sha512';
  return 'sha256';
}

const SM2_CURVE_HEX = [
  'fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc',
  '28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93',
  '32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7',
  'bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0',
];

/**
 * The DIGEST a caller sends for `message`: the algorithm's hash; for SM2DSA e = SM3(Z_A || M) with the default
 * distinguishing ID (GM/T 0009), which needs the public key.
 */
export function digestFor(algorithm: string, message: Buffer, spki: Buffer): Buffer {
  if (algorithm !== 'SM2DSA') return createHash(hashOf(algorithm)).update(message).digest();
  const z = createHash('sm3').update(Buffer.concat([
    Buffer.from([0x00, 0x80]), Buffer.from('1234567812345678'), ...SM2_CURVE_HEX.map((h) => Buffer.from(h, 'hex')),
    spki.subarray(-64),
  ])).digest();
  return createHash('sm3').update(z).update(message).digest();
}

const ML_DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;
type MlDsaSpec = keyof typeof ML_DSA;

function mlDsaOf(spec: string) {
  const dsa = ML_DSA[spec as MlDsaSpec];
  assert.ok(dsa, `${spec} is not ML-DSA`);
  return dsa;
}

/** ML-DSA's μ for pure signing with an empty context (FIPS 204 §5.2), what an EXTERNAL_MU caller sends. */
export function externalMu(spec: string, spki: Buffer, message: Buffer): Buffer {
  const dsa = mlDsaOf(spec);
  const tr = shake256(spki.subarray(-dsa.lengths.publicKey!), { dkLen: 64 });
  return Buffer.from(shake256(Buffer.concat([tr, Buffer.from([0, 0]), message]), { dkLen: 64 }));
}

/**
 * Whether `signature` is a valid signature of `message` (the original message, whatever MessageType was sent)
 * under the SubjectPublicKeyInfo `spki`, judged by an implementation other than Trent's.
 */
export function verifiedIndependently(scratch: Scratch, spec: string, algorithm: string, spki: Buffer, message: Buffer,
  signature: Buffer): boolean {
  if (spec.startsWith('ML_DSA')) {
    const dsa = mlDsaOf(spec);
    return dsa.verify(signature, message, spki.subarray(-dsa.lengths.publicKey!));
  }
  if (algorithm === 'ED25519_PH_SHA_512') {
    // AWS's Ed25519ph signs the SHA-512 of the message with RFC 8032's own prehash on top (OpenSSL 3.0 lacks it).
    return ed25519ph.verify(signature, createHash('sha512').update(message).digest(), spki.subarray(-32), { zip215: false });
  }
  const pem = scratch.file(createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));
  const sig = scratch.file(signature);
  const input = scratch.file(message);
  let args: string[];
  if (algorithm === 'ED25519_SHA_512') {
    args = ['pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin', '-sigfile', sig, '-in', input];
  } else if (algorithm === 'SM2DSA') {
    args = ['dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify', pem, '-signature', sig, input];
  } else {
    const pss = algorithm.startsWith('RSASSA_PSS') ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:digest'] : [];
    args = ['dgst', `-${hashOf(algorithm)}`, ...pss, '-verify', pem, '-signature', sig, input];
  }
  try {
    openssl(...args);
    return true;
  } catch {
    return false;
  }
}

/** Node's own verdict, a second opinion for the specs OpenSSL's CLI covers (PSS with salt = digest length). */
export function verifiedByNode(algorithm: string, spki: Buffer, message: Buffer, signature: Buffer): boolean {
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (algorithm.startsWith('RSASSA_PSS')) {
    return verify(hashOf(algorithm), message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }, signature);
  }
  return verify(hashOf(algorithm), message, { key, dsaEncoding: 'der' }, signature);
}
