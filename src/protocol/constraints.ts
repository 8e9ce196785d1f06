import type { ShapeDef } from '../model/shape.js';

/**
 * The model's constraints on a value, worded as AWS's validation messages word them, for every wire format
 * (JSON for KMS, the query protocol for IAM and STS): each check pushes its violation onto `problems`.
 */

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

export function checkLength(s: ShapeDef, path: string, problems: string[], length: number, shown: unknown): void {
  if (s.min !== undefined && length < s.min) fail(s, path, problems, `have length greater than or equal to ${s.min}`, shown);
  if (s.max !== undefined && length > s.max) fail(s, path, problems, `have length less than or equal to ${s.max}`, shown);
}

export function checkString(s: ShapeDef, path: string, problems: string[], value: string): void {
  if (s.enum && !s.enum.includes(value)) fail(s, path, problems, `satisfy enum value set: [${s.enum.join(', ')}]`, value);
  checkLength(s, path, problems, codePoints(value), value);
  if (s.pattern && !fullMatch(s.pattern, value)) fail(s, path, problems, `satisfy regular expression pattern: ${s.pattern}`, value);
}

export function checkNumber(s: ShapeDef, path: string, problems: string[], value: number): void {
  if (s.min !== undefined && value < s.min) fail(s, path, problems, `have value greater than or equal to ${s.min}`, value);
  if (s.max !== undefined && value > s.max) fail(s, path, problems, `have value less than or equal to ${s.max}`, value);
}

export function missing(path: string): string {
  return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

/** "1 validation error detected: …" / "3 validation errors detected: …; …". */
export function validationMessage(problems: readonly string[]): string {
  const n = problems.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`;
}
