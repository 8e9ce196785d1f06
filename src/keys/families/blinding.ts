import { createECDH, type ECDH, randomBytes } from 'node:crypto';

import { invert } from '@noble/curves/abstract/modular.js';

/*
 * Blinding for the scalar arithmetic that ECDSA and SM2DSA finish in JavaScript (ecc.ts, sm2.ts). Node cannot
 * sign a ready digest through OpenSSL, so s is computed here, and V8's BigInt is not constant-time: addition
 * and multiplication take time by the operands' length in 64-bit words, division (%) also by their leading
 * words, and inversion (extended Euclid) by their whole value. A few leaked nonce bits per signature are
 * enough for lattice key recovery (Minerva, CVE-2019-15809), so no secret - the key d, a nonce k, or a value
 * derived from them alone - is ever an operand of those operations in its own value:
 *
 * - A secret scalar v becomes a BigInt only as v + c·n, c drawn fresh with bit 62 set and bits above clear:
 *   the same residue, with a word count fixed by n alone (the sum of two such masks stays below 2^64·n, so a
 *   stored masked value may be re-masked per use).
 * - It is then multiplied by a fresh uniform b in [1, n) and reduced: v·b mod n is uniform whatever v is, and
 *   only such values are inverted (a batch at once, Montgomery's trick, which is also what makes it fast).
 * - The masks cancel in a last product whose value is the public signature component s.
 *
 * Nonces are our own CSPRNG draws, range-checked without branching on their bytes; OpenSSL computes k·G in
 * constant time (ECDH.setPrivateKey). ECDH.getPrivateKey is not used: it strips leading zero bytes, so its
 * length would tell when a nonce is short.
 */

/** The order n of a curve's base point, as the blinding needs it. */
export interface Group {
  /** OpenSSL's curve name, for createECDH. */
  readonly openssl: string;
  readonly order: bigint;
  /** n's bit length, to which digests are truncated. */
  readonly bits: number;
  /** Bytes of a scalar: n's length, which every scalar here is padded to. */
  readonly bytes: number;
  readonly orderBytes: Buffer;
  /** Clears the bits of the top byte above n's bit length, so a rejection draw is rarely rejected. */
  readonly topMask: number;
  /** 2^(8·bytes), the bit the 01 byte maskedScalar puts before a scalar stands for. */
  readonly lengthBit: bigint;
}

export function group(openssl: string, order: bigint): Group {
  const bits = order.toString(2).length;
  const bytes = Math.ceil(bits / 8);
  return {
    openssl, order, bits, bytes, orderBytes: Buffer.from(order.toString(16).padStart(bytes * 2, '0'), 'hex'),
    topMask: 0xff >> (bytes * 8 - bits), lengthBit: 1n << BigInt(bytes * 8),
  };
}

/** CSPRNG output taken in small pieces from larger draws (one randomBytes call costs as much as ~2 kB). */
class RandomStream {
  private buffer = Buffer.alloc(0);
  private offset = 0;

  /** `length` fresh bytes; the caller zeroes them once it no longer needs them. */
  take(length: number): Buffer {
    if (this.offset + length > this.buffer.length) {
      this.buffer = randomBytes(Math.max(4096, length));
      this.offset = 0;
    }
    const piece = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return piece;
  }
}

const random = new RandomStream();

/** Big-endian bytes as a BigInt, by Node's native hex encoding (several times faster than a JS loop). */
const toBigInt = (bytes: Buffer, prefix = '0x') => BigInt(prefix + bytes.toString('hex'));

/**
 * Whether big-endian `candidate` lies in [1, limit) (same length). Branch-free over the bytes: a draw is
 * rejected only by the verdict, so where it first differs from n never shows in the time taken.
 */
function inRange(candidate: Buffer, limit: Buffer): boolean {
  let borrow = 0;
  let nonzero = 0;
  for (let i = candidate.length - 1; i >= 0; i--) {
    borrow = (candidate[i]! - limit[i]! - borrow) >>> 31;
    nonzero |= candidate[i]!;
  }
  return (borrow & ((nonzero + 0xff) >> 8)) === 1;
}

/** A uniform scalar in [1, n) as `bytes` big-endian bytes, by rejection sampling. */
function scalarBytes(curve: Group): Buffer {
  for (;;) {
    const candidate = random.take(curve.bytes);
    candidate[0]! &= curve.topMask;
    if (inRange(candidate, curve.orderBytes)) return candidate;
  }
}

const BIT_62 = 1n << 62n;

/** c·n for a fresh c in [2^62, 2^63): added to a scalar, it masks the value and fixes the word count. */
export function maskMultiple(curve: Group): bigint {
  const c = random.take(8);
  const multiple = ((c.readBigUInt64BE() & (BIT_62 - 1n)) | BIT_62) * curve.order;
  c.fill(0);
  return multiple;
}

/** A fresh multiplicative mask, uniform in [1, n). */
export function uniformMask(curve: Group): bigint {
  const bytes = scalarBytes(curve);
  const mask = toBigInt(bytes);
  bytes.fill(0);
  return mask;
}

/**
 * v + c·n for the secret scalar in `bytes` (big-endian, at most n's length): the only way a secret scalar
 * becomes a BigInt. The leading 01 byte makes the parsed value v + 2^(8·bytes), whose word count does not
 * depend on v; adding c·n − 2^(8·bytes) (positive, since c·n ≥ 2^61·n) then never sees v unmasked either.
 */
export function maskedScalar(curve: Group, bytes: Buffer): bigint {
  if (bytes.length !== curve.bytes) throw new RangeError('scalar not of the group order\'s length');
  return toBigInt(bytes, '0x01') + (maskMultiple(curve) - curve.lengthBit);
}

/** Inverses mod n of nonzero values by Montgomery's trick: one inversion of the product, three products each. */
export function invertAll(values: readonly bigint[], n: bigint): bigint[] {
  const prefix: bigint[] = [];
  let product = 1n;
  for (const value of values) {
    prefix.push(product);
    product = (product * value) % n;
  }
  let inverse = invert(product, n);
  const inverses = new Array<bigint>(values.length);
  for (let i = values.length - 1; i >= 0; i--) {
    inverses[i] = (inverse * prefix[i]!) % n;
    inverse = (inverse * values[i]!) % n;
  }
  return inverses;
}

/** A fresh signing nonce, k never held unmasked. */
export interface Nonce {
  /** k + c·n (see maskedScalar). */
  readonly k: bigint;
  /** The affine x coordinate of k·G, as an integer (not reduced mod n). */
  readonly x: bigint;
}

const nonceSources = new Map<Group, ECDH>();

export function nonce(curve: Group): Nonce {
  let ecdh = nonceSources.get(curve);
  if (!ecdh) nonceSources.set(curve, ecdh = createECDH(curve.openssl));
  const k = scalarBytes(curve);
  ecdh.setPrivateKey(k);
  const point = ecdh.getPublicKey();
  const masked = maskedScalar(curve, k);
  k.fill(0);
  return { k: masked, x: toBigInt(point.subarray(1, 1 + (point.length - 1) / 2)) };
}

/** How many nonces are made and inverted together: enough that the one inversion costs little per signature. */
export const NONCE_BATCH = 64;

/** Values made a batch at a time (nonces with their inverses), each handed out once, so none is used twice. */
export class Pool<T> {
  private ready: T[] = [];

  constructor(private readonly refill: () => T[]) {}

  take(): T {
    while (this.ready.length === 0) this.ready = this.refill();
    return this.ready.pop()!;
  }
}
