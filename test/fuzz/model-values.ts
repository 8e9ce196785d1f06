import type { ShapeDef } from '../../src/model/shape.js';
import { SHAPES } from '../../src/model/shapes.gen.js';
import type { Random } from './random.js';

/** Real identifiers the server knows (made before fuzzing), so that generated inputs get past "not found". */
export interface KnownIds {
  readonly keyIds: readonly string[];
  readonly aliasNames: readonly string[];
}

/**
 * Values for the model's shapes: `valid` follows the constraints (enum, length, range; a pattern only where a
 * simple candidate matches it), `hostile` breaks one: the wrong JSON type, a length or number at and beyond its
 * bounds, a non-member of an enum, bad base64, lone surrogates and astral characters, absurd timestamps.
 */
export class ModelValues {
  constructor(private readonly random: Random, private readonly known: KnownIds) {}

  /** An operation input: valid, with one member made hostile most of the time. */
  input(shapeName: string): Record<string, unknown> {
    const input = this.valid(shapeName, 0) as Record<string, unknown>;
    const s = shape(shapeName);
    const members = Object.entries(s.members ?? {});
    if (members.length > 0 && this.random.chance(0.8)) {
      const [member, memberShape] = this.random.pick(members);
      input[member] = this.hostile(memberShape, 1);
    }
    if (this.random.chance(0.05)) {
      // defineProperty, so that "__proto__" becomes a member of the JSON rather than this object's prototype.
      const name = this.random.pick(['__proto__', 'constructor', 'Unknown', '']);
      Object.defineProperty(input, name, { value: this.anyJson(2), enumerable: true, writable: true, configurable: true });
    }
    return input;
  }

  valid(shapeName: string, depth: number): unknown {
    const s = shape(shapeName);
    const r = this.random;
    switch (s.type) {
      case 'structure': {
        const out: Record<string, unknown> = {};
        for (const [member, memberShape] of Object.entries(s.members ?? {})) {
          if (s.required?.includes(member) || (depth < 3 && r.chance(0.4))) out[member] = this.valid(memberShape, depth + 1);
        }
        return out;
      }
      case 'list': {
        const n = r.between(s.min ?? 0, Math.min(s.max ?? 3, 3));
        return Array.from({ length: n }, () => this.valid(s.member!, depth + 1));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = r.int(3); i > 0; i--) out[String(this.valid(s.key!, depth + 1))] = this.valid(s.value!, depth + 1);
        return out;
      }
      case 'string':
        return this.validString(shapeName, s);
      case 'integer':
      case 'long':
        return r.between(s.min ?? 0, Math.min(s.max ?? 1000, (s.min ?? 0) + 1000));
      case 'boolean':
        return r.chance(0.5);
      case 'blob':
        return r.bytes(r.between(s.min ?? 0, Math.min(s.max ?? 64, 64))).toString('base64');
      case 'timestamp':
        return Math.floor(Date.now() / 1000) + r.between(-86400, 86400 * 30);
    }
  }

  private validString(shapeName: string, s: ShapeDef): string {
    const r = this.random;
    if (s.enum) return r.pick(s.enum);
    if (/KeyId/.test(shapeName) && this.known.keyIds.length > 0) {
      return r.chance(0.8) ? r.pick(this.known.keyIds) : r.pick([...this.known.aliasNames, ...this.known.keyIds]);
    }
    if (shapeName === 'AliasNameType') return r.chance(0.5) ? r.pick(this.known.aliasNames) : `alias/fuzz-${r.int(1e9)}`;
    const min = s.min ?? 1;
    const max = Math.min(s.max ?? 32, min + 32);
    for (let attempt = 0; attempt < 4; attempt++) {
      const candidate = alphanumeric(r, r.between(min, Math.max(min, max)));
      if (!s.pattern || new RegExp(`^(?:${s.pattern})$`, 'u').test(candidate)) return candidate;
    }
    return alphanumeric(r, min);
  }

  /** A value that breaks the shape's type or one of its constraints. */
  hostile(shapeName: string, depth: number): unknown {
    const s = shape(shapeName);
    const r = this.random;
    if (r.chance(0.25)) return this.anyJson(depth);
    switch (s.type) {
      case 'structure': {
        const out = this.valid(shapeName, depth) as Record<string, unknown>;
        const members = Object.entries(s.members ?? {});
        if (members.length === 0) return out;
        const [member, memberShape] = r.pick(members);
        out[member] = this.hostile(memberShape, depth + 1);
        return out;
      }
      case 'list': {
        const n = r.pick([0, (s.max ?? 10) + 1, r.int(200), s.min ?? 0]);
        return Array.from({ length: n }, () => r.chance(0.2) ? this.hostile(s.member!, depth + 1) : this.valid(s.member!, depth + 1));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = r.int(300); i > 0; i--) {
          out[r.chance(0.5) ? String(this.hostileString(SHAPES[s.key!]!)) : String(i)] = r.chance(0.5) ? this.hostile(s.value!, depth + 1) : 'v';
        }
        return out;
      }
      case 'string':
        return this.hostileString(s);
      case 'integer':
      case 'long':
        return r.pick([(s.min ?? 0) - 1, (s.max ?? 2 ** 31) + 1, s.min ?? 0, s.max ?? 0, -1, 0, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, 1.5, -0]);
      case 'boolean':
        return r.pick(['true', 1, 0, null, []]);
      case 'blob': {
        const over = (s.max ?? 4096) + 1;
        return r.pick([
          '', '=', 'A', 'AA=', 'AAA', '!!!!', 'AAAA====', 'YQ', 'YQ==\n', ' YQ==', '\u0000\u0000\u0000\u0000', 'ÿÿÿÿ',
          r.bytes(Math.min(over, 300_000)).toString('base64'), r.bytes(s.min ?? 0).toString('base64'),
          r.bytes(r.int(8)).toString('base64url'),
        ]);
      }
      case 'timestamp':
        return r.pick([-1, 0, 1e20, -1e20, 8.64e12, 8.64e12 + 1, 1.5, 'yesterday', '2024-01-01T00:00:00Z', 1e308]);
    }
  }

  private hostileString(s: ShapeDef): unknown {
    const r = this.random;
    const min = s.min ?? 0;
    const max = s.max ?? 2048;
    return r.pick([
      '', ' ', 'x'.repeat(Math.max(0, min - 1)), 'x'.repeat(min), 'x'.repeat(Math.min(max, 300_000)), 'x'.repeat(Math.min(max + 1, 300_001)),
      '😀'.repeat(Math.min(max, 100_000)), '😀'.repeat(Math.min(max + 1, 100_001)), '\ud800', '\udfff\ud800x', 'a\u0000b', '\u202e\ufeff',
      ...(s.enum ? [s.enum[0]!.toLowerCase(), `${s.enum[0]} `, s.enum.join(',')] : []),
      'alias/aws/kms', 'alias/', 'arn:aws:kms:us-west-2:111122223333:key/', 'arn:aws:kms:::key/x', '../../etc/passwd', '%00', '${jndi:x}',
      'arn:aws:kms:us-west-2:111122223333:alias/' + 'a'.repeat(300),
    ]);
  }

  /** Any JSON value at all, up to a small depth. */
  anyJson(depth: number): unknown {
    const r = this.random;
    const leaf = () => r.pick<unknown>([null, true, false, 0, -1, 1.5, 1e308, '', 'x', '\ud800', [], {}]);
    if (depth > 3 || r.chance(0.5)) return leaf();
    return r.chance(0.5)
      ? Array.from({ length: r.int(4) }, () => this.anyJson(depth + 1))
      : Object.fromEntries(Array.from({ length: r.int(4) }, (_, i) => [`k${i}`, this.anyJson(depth + 1)]));
  }
}

function shape(name: string): ShapeDef {
  const s = SHAPES[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  return s;
}

function alphanumeric(r: Random, n: number): string {
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let out = '';
  for (let i = 0; i < n; i++) out += chars[r.int(chars.length)];
  return out;
}
