import { isUtf8 } from 'node:buffer';
import { QueryError } from '../../model/query-errors.js';
import type { QueryServiceModel } from '../../model/query-shape.js';
import type { ShapeDef } from '../../model/shape.js';
import { wireName } from '../../model/members.js';
import { checkLength, checkNumber, checkString, missing, validationMessage } from '../constraints.js';

/** A query-protocol request's parameters: `Action`, `Version` and the input's members flattened (`Tags.member.1.Key`). */
export type QueryParams = ReadonlyMap<string, string>;

/**
 * The form-encoded parameters of a request: its body (application/x-www-form-urlencoded, as the SDKs send
 * them) and its query string (as a GET request carries them), the body's winning when both name one.
 */
export function readParams(path: string, body: Buffer): QueryParams {
  if (!isUtf8(body)) throw new QueryError('MalformedInput', 'The request body is not valid UTF-8.');
  const params = new Map<string, string>();
  const q = path.indexOf('?');
  if (q >= 0) for (const [k, v] of new URLSearchParams(path.slice(q + 1))) params.set(k, v);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  return params;
}

/**
 * The operation's input, read from the flattened parameters by one walk over the model's shapes: a structure's
 * member M under `prefix.M`, a list's items under `.member.1`, `.member.2`…, a map's entries under
 * `.entry.N.key`/`.entry.N.value`. Every constraint violation is collected and answered together as AWS's query
 * services answer them (ValidationError, "N validation errors detected: …"); a value that cannot be read as its
 * type (MaxItems=ten) is refused on its own.
 */
export function decodeQueryInput(model: QueryServiceModel, shapeName: string, params: QueryParams): unknown {
  const problems: string[] = [];
  const value = decodeStructure(model, shapeName, params, '', '', problems);
  if (problems.length > 0) throw new QueryError('ValidationError', validationMessage(problems));
  return value;
}

function shapeOf(model: QueryServiceModel, name: string): ShapeDef {
  const s = model.shapes[name];
  if (!s) throw new Error(`model has no shape ${name}`);
  return s;
}

/** Whether any parameter lies under `prefix` (the value itself, or anything nested in it). */
function present(params: QueryParams, prefix: string): boolean {
  if (params.has(prefix)) return true;
  for (const k of params.keys()) if (k.startsWith(`${prefix}.`)) return true;
  return false;
}

function decodeStructure(model: QueryServiceModel, name: string, params: QueryParams, prefix: string, path: string,
  problems: string[]): Record<string, unknown> {
  const s = shapeOf(model, name);
  const out: Record<string, unknown> = {};
  for (const [member, memberShape] of Object.entries(s.members ?? {})) {
    const key = prefix ? `${prefix}.${member}` : member;
    const memberPath = path ? `${path}.${wireName(member)}` : wireName(member);
    if (!present(params, key)) {
      if (s.required?.includes(member)) problems.push(missing(memberPath));
      continue;
    }
    out[member] = decodeValue(model, memberShape, params, key, memberPath, problems);
  }
  return out;
}

/** Item indexes under `prefix.` (`member.3` → 3), in order; the query protocol numbers from 1. */
function indexesUnder(params: QueryParams, prefix: string): number[] {
  const seen = new Set<number>();
  for (const k of params.keys()) {
    if (!k.startsWith(prefix)) continue;
    const n = /^(\d+)(?:\.|$)/.exec(k.slice(prefix.length))?.[1];
    if (n !== undefined) seen.add(Number(n));
  }
  return [...seen].sort((a, b) => a - b);
}

function decodeValue(model: QueryServiceModel, name: string, params: QueryParams, key: string, path: string,
  problems: string[]): unknown {
  const s = shapeOf(model, name);
  const raw = params.get(key);
  switch (s.type) {
    case 'structure':
      return decodeStructure(model, name, params, key, path, problems);
    case 'list': {
      // `Tags=` (present, empty) is the empty list.
      const items = indexesUnder(params, `${key}.member.`)
        .map((i) => decodeValue(model, s.member!, params, `${key}.member.${i}`, `${path}.${i}.member`, problems));
      checkLength(s, path, problems, items.length, items);
      return items;
    }
    case 'map': {
      const out = Object.create(null) as Record<string, unknown>;
      for (const i of indexesUnder(params, `${key}.entry.`)) {
        const k = decodeValue(model, s.key!, params, `${key}.entry.${i}.key`, `${path}.${i}.key`, problems);
        out[String(k)] = decodeValue(model, s.value!, params, `${key}.entry.${i}.value`, `${path}.${i}.value`, problems);
      }
      checkLength(s, path, problems, Object.keys(out).length, out);
      return out;
    }
    case 'string': {
      const value = raw ?? '';
      checkString(s, path, problems, value);
      return value;
    }
    case 'integer':
    case 'long': {
      if (raw === undefined || !/^-?\d{1,15}$/.test(raw)) throw malformed(raw, path, 'an integer');
      const value = Number(raw);
      checkNumber(s, path, problems, value);
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw malformed(raw, path, 'a boolean');
      return raw === 'true';
    case 'timestamp': {
      const date = raw === undefined ? undefined : new Date(raw);
      if (!date || Number.isNaN(date.getTime())) throw malformed(raw, path, 'a timestamp');
      return date;
    }
    case 'blob':
      return Buffer.from(raw ?? '', 'base64');
  }
}

function malformed(raw: string | undefined, path: string, what: string): QueryError {
  return new QueryError('MalformedInput', `Value '${raw ?? ''}' at '${path}' is not ${what}.`);
}
