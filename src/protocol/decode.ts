import { KmsError } from '../model/errors.js';
import type { ShapeDef } from '../model/shape.js';
import { membersOf } from '../model/members.js';
import { SHAPES } from '../model/shapes.gen.js';

/**
 * Turns a parsed JSON request body into the operation's input: one walk over the model's shape table that
 * converts wire types (base64 blobs, epoch-second timestamps) and collects every constraint violation with
 * AWS's wording. A value of the wrong JSON type is a SerializationException, as AWS's JSON protocol answers;
 * constraint violations together make one ValidationException ("N validation errors detected: ...").
 */
export function decodeInput(shapeName: string, body: unknown, limits: DecodeLimits = NO_LIMITS): unknown {
  const problems: string[] = [];
  const value = decodeShape(shapeName, body, '', problems, limits);
  if (problems.length > 0) {
    const n = problems.length;
    throw new KmsError('ValidationException',
      `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`);
  }
  return value;
}

/** Limits beyond the model's that the server sets (quotas), checked as the walk reaches what they bound. */
export interface DecodeLimits {
  /**
   * Per map shape: the most UTF-8 bytes its keys and string values may add up to, checked before any entry is
   * decoded, so an oversized map costs one pass over it and nothing downstream (LimitExceededException).
   */
  readonly mapBytes: Readonly<Record<string, number>>;
}

const NO_LIMITS: DecodeLimits = { mapBytes: {} };

function shape(name: string): ShapeDef {
  const s = SHAPES[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  return s;
}

function typeError(expected: string, value: unknown): KmsError {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new KmsError('SerializationException', `Expected ${expected}, got ${kind}.`);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const patternCache = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    // Model patterns are Java regexes that must match the whole string; `u` makes \u escapes and code points work.
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, re);
  }
  return re.test(value);
}

const SURROGATE = /[\uD800-\uDFFF]/;

function codePoints(s: string): number {
  if (!SURROGATE.test(s)) return s.length; // the usual case: every code unit is a code point
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${k}=${describe(v)}`).join(', ')}}`;
  }
  return String(value);
}

function fail(s: ShapeDef, path: string, problems: string[], constraint: string, shown: unknown): void {
  const at = s.sensitive ? 'Value at' : `Value '${describe(shown)}' at`;
  problems.push(`${at} '${path}' failed to satisfy constraint: Member must ${constraint}`);
}

function checkLength(s: ShapeDef, path: string, problems: string[], length: number, shown: unknown): void {
  if (s.min !== undefined && length < s.min) fail(s, path, problems, `have length greater than or equal to ${s.min}`, shown);
  if (s.max !== undefined && length > s.max) fail(s, path, problems, `have length less than or equal to ${s.max}`, shown);
}

function decodeShape(name: string, value: unknown, path: string, problems: string[], limits: DecodeLimits): unknown {
  const s = shape(name);
  switch (s.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeError('an object', value);
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const member of membersOf(name)) {
        const v = input[member.name];
        const present = v !== undefined && v !== null;
        if (!present && !member.required) continue;
        const memberPath = path ? `${path}.${member.wireName}` : member.wireName;
        if (!present) {
          problems.push(`Value null at '${memberPath}' failed to satisfy constraint: Member must not be null`);
          continue;
        }
        out[member.name] = decodeShape(member.shape, v, memberPath, problems, limits);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw typeError('a list', value);
      // The items first: a mistyped one (an array nested 100k deep…) is a SerializationException before the list
      // is ever described in a length message. Their constraint violations still follow the list's own.
      const itemProblems: string[] = [];
      const items = value.map((item, i) => decodeShape(s.member!, item, `${path}.${i + 1}.member`, itemProblems, limits));
      checkLength(s, path, problems, value.length, value);
      problems.push(...itemProblems);
      return items;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw typeError('a map', value);
      // No prototype: a member named __proto__ is a pair like any other, not a prototype to set.
      const out = Object.create(null) as Record<string, unknown>;
      const maxBytes = limits.mapBytes[name];
      if (maxBytes !== undefined) checkMapBytes(value as Record<string, unknown>, maxBytes, path);
      for (const [k, v] of Object.entries(value)) {
        decodeShape(s.key!, k, `${path}.${k}.key`, problems, limits);
        out[k] = decodeShape(s.value!, v, `${path}.${k}.value`, problems, limits);
      }
      checkLength(s, path, problems, Object.keys(out).length, value);
      return out;
    }
    case 'string': {
      if (typeof value !== 'string') throw typeError('a string', value);
      if (s.enum && !s.enum.includes(value)) fail(s, path, problems, `satisfy enum value set: [${s.enum.join(', ')}]`, value);
      checkLength(s, path, problems, codePoints(value), value);
      if (s.pattern && !fullMatch(s.pattern, value)) fail(s, path, problems, `satisfy regular expression pattern: ${s.pattern}`, value);
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('an integer', value);
      if (s.min !== undefined && value < s.min) fail(s, path, problems, `have value greater than or equal to ${s.min}`, value);
      if (s.max !== undefined && value > s.max) fail(s, path, problems, `have value less than or equal to ${s.max}`, value);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw typeError('a boolean', value);
      return value;
    case 'blob': {
      if (typeof value !== 'string' || !BASE64.test(value)) {
        throw new KmsError('SerializationException', `Value at '${path}' is not valid base64.`);
      }
      const bytes = Buffer.from(value, 'base64');
      checkLength(s, path, problems, bytes.length, value);
      return bytes;
    }
    case 'timestamp': {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw typeError('a timestamp in epoch seconds', value);
      const date = new Date(value * 1000);
      // Beyond ±8.64e12 seconds a Date is invalid, and every later use of it (storing, auditing) would throw.
      if (Number.isNaN(date.getTime())) throw new KmsError('SerializationException', `Value at '${path}' is not a valid timestamp.`);
      return date;
    }
  }
}

/**
 * Stops counting as soon as the limit is passed, and allocates nothing per entry (Object.entries of a
 * 70,000-pair map costs more than the rest of the check).
 */
function checkMapBytes(map: Readonly<Record<string, unknown>>, maxBytes: number, path: string): void {
  let bytes = 0;
  for (const k in map) {
    const v = map[k];
    bytes += Buffer.byteLength(k, 'utf8') + (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
    if (bytes > maxBytes) {
      throw new KmsError('LimitExceededException',
        `Value at '${path}' exceeds the quota of ${maxBytes} bytes for its keys and values together.`);
    }
  }
}

/** Converts a handler's result to its wire form: Buffers to base64, Dates to epoch seconds, absent members left out. */
export function encodeOutput(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(encodeOutput);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const e = encodeOutput(v);
      if (e !== undefined) out[k] = e;
    }
    return out;
  }
  return value;
}
