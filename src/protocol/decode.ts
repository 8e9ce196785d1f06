import { KmsError } from '../model/errors.js';
import type { ShapeDef } from '../model/shape.js';
import { membersOf } from '../model/members.js';
import { SHAPES } from '../model/shapes.gen.js';
import { checkLength, checkNumber, checkString, missing, validationMessage } from './constraints.js';

/**
 * Turns a parsed JSON request body into the operation's input: one walk over the model's shape table that
 * converts wire types (base64 blobs, epoch-second timestamps) and collects every constraint violation with
 * AWS's wording. A value of the wrong JSON type is a SerializationException, as AWS's JSON protocol answers;
 * constraint violations together make one ValidationException ("N validation errors detected: ...").
 */
export function decodeInput(shapeName: string, body: unknown, limits: DecodeLimits = NO_LIMITS): unknown {
  const problems: string[] = [];
  const value = decodeShape(shapeName, body, '', problems, limits);
  if (problems.length > 0) throw new KmsError('ValidationException', validationMessage(problems));
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
          problems.push(missing(memberPath));
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
      checkString(s, path, problems, value);
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw typeError('an integer', value);
      checkNumber(s, path, problems, value);
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
