/**
 * The little DER (X.690) the key families need: building SubjectPublicKeyInfo, ECDSA/SM2 signatures and SM2
 * ciphertexts, and reading them back strictly. Strict means canonical DER only (definite minimal lengths,
 * minimal non-negative INTEGERs, nothing trailing), because a signature that parses two ways is malleable.
 */

const TAG = { INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30 } as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** Big-endian magnitude of a non-negative integer, with the 0x00 DER needs when the top bit is set. */
function integerContent(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('DER INTEGER must be non-negative here');
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const magnitude = Buffer.from(hex, 'hex');
  return magnitude[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude;
}

function oidContent(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined) throw new RangeError(`bad OID ${dotted}`);
  const out: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const base128: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) base128.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...base128);
  }
  return Buffer.from(out);
}

export const der = {
  sequence: (...items: Uint8Array[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items)),
  integer: (value: bigint): Buffer => tlv(TAG.INTEGER, integerContent(value)),
  octetString: (bytes: Uint8Array): Buffer => tlv(TAG.OCTET_STRING, bytes),
  /** A BIT STRING of whole bytes (0 unused bits), as key encodings use. */
  bitString: (bytes: Uint8Array): Buffer => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes])),
  oid: (dotted: string): Buffer => tlv(TAG.OID, oidContent(dotted)),
};

/** Thrown for any input that is not canonical DER of the expected shape. */
export class DerError extends Error {}

/** Reads one canonical DER structure front to back; every read checks the tag it expects. */
export class DerReader {
  private offset = 0;
  constructor(private readonly input: Buffer) {}

  private read(expectedTag: number): Buffer {
    const { input } = this;
    if (input[this.offset] !== expectedTag) throw new DerError('unexpected tag');
    let position = this.offset + 1;
    const first = input[position++];
    if (first === undefined) throw new DerError('truncated');
    let length = first;
    if (first & 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 4) throw new DerError('unsupported length');
      length = 0;
      for (let i = 0; i < count; i++) {
        const byte = input[position++];
        if (byte === undefined) throw new DerError('truncated');
        if (i === 0 && byte === 0) throw new DerError('non-minimal length');
        length = length * 256 + byte;
      }
      if (length < 0x80) throw new DerError('non-minimal length');
    }
    const end = position + length;
    if (end > input.length) throw new DerError('truncated');
    this.offset = end;
    return input.subarray(position, end);
  }

  sequence(): DerReader {
    return new DerReader(this.read(TAG.SEQUENCE));
  }

  /** A non-negative INTEGER in minimal encoding. */
  integer(): bigint {
    const content = this.read(TAG.INTEGER);
    if (content.length === 0) throw new DerError('empty INTEGER');
    if (content[0]! & 0x80) throw new DerError('negative INTEGER');
    if (content.length > 1 && content[0] === 0 && !(content[1]! & 0x80)) throw new DerError('non-minimal INTEGER');
    return BigInt(`0x${content.toString('hex')}`);
  }

  octetString(): Buffer {
    return this.read(TAG.OCTET_STRING);
  }

  /** A BIT STRING of whole bytes. */
  bitString(): Buffer {
    const content = this.read(TAG.BIT_STRING);
    if (content[0] !== 0) throw new DerError('BIT STRING with unused bits');
    return content.subarray(1);
  }

  /** An OBJECT IDENTIFIER, compared by its encoding. */
  oid(): Buffer {
    return this.read(TAG.OID);
  }

  /** A context-specific primitive [n] IMPLICIT field's content (an IMPLICIT OCTET STRING, say). */
  implicit(n: number): Buffer {
    return this.read(0x80 | n);
  }

  /** The tag of what comes next, undefined at the end: for a CHOICE. */
  nextTag(): number | undefined {
    return this.input[this.offset];
  }

  /** Asserts that nothing follows what was read. */
  end(): void {
    if (this.offset !== this.input.length) throw new DerError('trailing data');
  }
}

/** Encoded OBJECT IDENTIFIER content, to compare with `DerReader.oid()`. */
export function oidBytes(dotted: string): Buffer {
  return oidContent(dotted);
}

/** DER SEQUENCE { r INTEGER, s INTEGER }: the signature form of ECDSA (RFC 3279) and SM2DSA (GM/T 0009). */
export function encodeSignature(r: bigint, s: bigint): Buffer {
  return der.sequence(der.integer(r), der.integer(s));
}

/** Parses DER (r, s) strictly; null when the bytes are not exactly that. */
export function decodeSignature(signature: Buffer): { r: bigint; s: bigint } | null {
  try {
    const outer = new DerReader(signature);
    const body = outer.sequence();
    outer.end();
    const r = body.integer();
    const s = body.integer();
    body.end();
    return { r, s };
  } catch (error) {
    if (error instanceof DerError) return null;
    throw error;
  }
}

/**
 * The private scalar d of EC key material: PKCS#8 PrivateKeyInfo { version, algorithm, OCTET STRING
 * ECPrivateKey { version, OCTET STRING d, … } } (RFC 5208, RFC 5915). A view into `pkcs8`, not a copy.
 */
export function ecPrivateKeyScalar(pkcs8: Buffer): Buffer {
  const info = new DerReader(pkcs8).sequence();
  info.integer();
  info.sequence();
  const ecPrivateKey = new DerReader(info.octetString()).sequence();
  ecPrivateKey.integer();
  return ecPrivateKey.octetString();
}
