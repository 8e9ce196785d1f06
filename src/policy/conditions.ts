import { BlockList, isIP } from 'node:net';
import { wildcardMatch } from './wildcard.js';

/**
 * A condition key's values in one request, by the key's name in lower case (IAM compares key names without
 * case): a list (several for a multivalued key such as kms:EncryptionContextKeys), `absent` when the key is
 * one Trent knows but this request has no value for it, undefined when Trent does not know the key.
 */
export type ConditionLookup = (lowerCaseKey: string) => readonly string[] | 'absent' | undefined;

/** A condition block's verdict: `unknown` when it names a key or an operator Trent does not know. */
export type ConditionVerdict = boolean | 'unknown';

interface Operator {
  /** Whether one request value matches one policy value. */
  readonly test: (requestValue: string, policyValue: string) => boolean;
  /** A Not… operator: true when the request value matches none of the policy values (and when the key is absent). */
  readonly negated: boolean;
}

const equals = (a: string, b: string) => a === b;
const equalsIgnoringCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const like = (a: string, b: string) => wildcardMatch(b, a, false);

function compareAs(parse: (s: string) => number, holds: (order: number) => boolean) {
  return (requestValue: string, policyValue: string): boolean => {
    const a = parse(requestValue);
    const b = parse(policyValue);
    return !Number.isNaN(a) && !Number.isNaN(b) && holds(a - b);
  };
}

const number = (s: string) => (s.trim() === '' ? NaN : Number(s));
/** IAM dates: ISO 8601, or epoch seconds. */
const date = (s: string) => (/^\d+$/.test(s) ? Number(s) * 1000 : Date.parse(s));

function inNetwork(address: string, cidr: string): boolean {
  const [network, bits] = cidr.split('/') as [string, string | undefined];
  const family = isIP(network) === 6 ? 'ipv6' : isIP(network) === 4 ? 'ipv4' : undefined;
  if (!family || isIP(address) === 0) return false;
  const list = new BlockList();
  const prefix = bits === undefined ? (family === 'ipv4' ? 32 : 128) : Number(bits);
  if (!Number.isInteger(prefix)) return false;
  try {
    list.addSubnet(network, prefix, family);
  } catch {
    return false;
  }
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const positive = (test: Operator['test']): Operator => ({ test, negated: false });
const negative = (test: Operator['test']): Operator => ({ test, negated: true });

/** The operators of IAM's condition language that Trent evaluates, by name in lower case. */
const OPERATORS: ReadonlyMap<string, Operator> = new Map(Object.entries({
  StringEquals: positive(equals),
  StringNotEquals: negative(equals),
  StringEqualsIgnoreCase: positive(equalsIgnoringCase),
  StringNotEqualsIgnoreCase: negative(equalsIgnoringCase),
  StringLike: positive(like),
  StringNotLike: negative(like),
  NumericEquals: positive(compareAs(number, (d) => d === 0)),
  NumericNotEquals: negative(compareAs(number, (d) => d === 0)),
  NumericLessThan: positive(compareAs(number, (d) => d < 0)),
  NumericLessThanEquals: positive(compareAs(number, (d) => d <= 0)),
  NumericGreaterThan: positive(compareAs(number, (d) => d > 0)),
  NumericGreaterThanEquals: positive(compareAs(number, (d) => d >= 0)),
  DateEquals: positive(compareAs(date, (d) => d === 0)),
  DateNotEquals: negative(compareAs(date, (d) => d === 0)),
  DateLessThan: positive(compareAs(date, (d) => d < 0)),
  DateLessThanEquals: positive(compareAs(date, (d) => d <= 0)),
  DateGreaterThan: positive(compareAs(date, (d) => d > 0)),
  DateGreaterThanEquals: positive(compareAs(date, (d) => d >= 0)),
  Bool: positive(equalsIgnoringCase),
  IpAddress: positive(inNetwork),
  NotIpAddress: negative(inNetwork),
  // ArnEquals takes wildcards as ArnLike does (IAM documents them as the same test).
  ArnEquals: positive(like),
  ArnLike: positive(like),
  ArnNotEquals: negative(like),
  ArnNotLike: negative(like),
}).map(([name, op]) => [name.toLowerCase(), op]));

type SetQualifier = 'forAnyValue' | 'forAllValues' | undefined;

function asStrings(v: unknown): string[] {
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

/**
 * Evaluates a statement's Condition block against a request, as IAM does: every operator and every key in it
 * must hold; a key holds when any of its policy values matches (none, for a Not… operator). A key absent from
 * the request fails a positive operator and passes a Not… one, IfExists passes it, ForAllValues passes it and
 * ForAnyValue fails it; Null tests presence.
 */
export function evaluateConditions(block: Readonly<Record<string, unknown>>, lookup: ConditionLookup): ConditionVerdict {
  let verdict: ConditionVerdict = true;
  for (const [operatorName, keys] of Object.entries(block)) {
    if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) return 'unknown';
    for (const [key, policyValue] of Object.entries(keys as Record<string, unknown>)) {
      const holds = conditionHolds(operatorName, lookup(key.toLowerCase()), asStrings(policyValue));
      if (holds === 'unknown') return 'unknown';
      if (!holds) verdict = false;
    }
  }
  return verdict;
}

function conditionHolds(operatorName: string, values: readonly string[] | 'absent' | undefined,
  policyValues: readonly string[]): ConditionVerdict {
  if (values === undefined) return 'unknown';
  const present = values !== 'absent' && values.length > 0;
  if (operatorName.toLowerCase() === 'null') {
    return policyValues.some((p) => p.toLowerCase() === (present ? 'false' : 'true'));
  }
  const [qualifier, rest] = splitQualifier(operatorName);
  const ifExists = /ifexists$/i.test(rest);
  const operator = OPERATORS.get((ifExists ? rest.slice(0, -'IfExists'.length) : rest).toLowerCase());
  if (!operator) return 'unknown';
  if (!present) {
    if (ifExists || qualifier === 'forAllValues') return true;
    if (qualifier === 'forAnyValue') return false;
    return operator.negated;
  }
  const passes = (v: string) => policyValues.some((p) => operator.test(v, p)) !== operator.negated;
  if (qualifier === 'forAllValues') return values.every(passes);
  if (qualifier === 'forAnyValue') return values.some(passes);
  return operator.negated ? values.every(passes) : values.some(passes);
}

function splitQualifier(operatorName: string): [SetQualifier, string] {
  const [head, tail] = operatorName.split(':', 2) as [string, string | undefined];
  if (tail === undefined) return [undefined, head];
  const qualifier = head.toLowerCase();
  if (qualifier === 'foranyvalue') return ['forAnyValue', tail];
  if (qualifier === 'forallvalues') return ['forAllValues', tail];
  return [undefined, operatorName]; // an unknown qualifier leaves an unknown operator: fail closed
}
