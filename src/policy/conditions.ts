import { BlockList, isIP } from 'node:net';
import { wildcardMatch } from './wildcard.js';

/**
 * A condition key's values in one request. A list is the key's set of values (one for most keys, several for a
 * multivalued key such as kms:EncryptionContextKeys). `oneOf` is a single-valued key that the request gives
 * more than one way: an encryption context with both `dept` and `DEPT` answers kms:EncryptionContext:dept
 * twice, since condition keys compare without case and context keys with it; each is a reading of the key.
 */
export type ConditionValues = readonly string[] | { readonly oneOf: readonly string[] };

/**
 * A condition key's values by the key's name in lower case (IAM compares key names without case): `absent`
 * when the key is one Trent knows but this request has no value for it, undefined when Trent does not know it.
 */
export type ConditionLookup = (lowerCaseKey: string) => ConditionValues | 'absent' | undefined;

/** A condition block's verdict: `unknown` when it names a key Trent does not know. */
export type ConditionVerdict = boolean | 'unknown';

interface Operator {
  /** Whether one request value matches one policy value. */
  readonly test: (requestValue: string, policyValue: string) => boolean;
  /** A Not… operator: true when the request value matches none of the policy values (and when the key is absent). */
  readonly negated: boolean;
  /** Whether a policy value is one this operator compares with (a number for Numeric…): checked when a policy is set. */
  readonly accepts: (policyValue: string) => boolean;
}

const equals = (a: string, b: string) => a === b;
const equalsIgnoringCase = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const like = (a: string, b: string) => wildcardMatch(b, a, false);
const anyString: Operator['accepts'] = () => true;
const isBoolean = (s: string) => /^(true|false)$/i.test(s);

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

interface Network { readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' }

/** An IP address or CIDR block as IpAddress takes it, or undefined. */
function parseNetwork(cidr: string): Network | undefined {
  const [address, bits] = cidr.split('/') as [string, string | undefined];
  const family = isIP(address) === 6 ? 'ipv6' : isIP(address) === 4 ? 'ipv4' : undefined;
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  return prefix >= 0 && prefix <= max ? { address, prefix, family } : undefined;
}

function inNetwork(address: string, cidr: string): boolean {
  const network = parseNetwork(cidr);
  if (!network || isIP(address) === 0) return false;
  const list = new BlockList();
  list.addSubnet(network.address, network.prefix, network.family);
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

const positive = (test: Operator['test'], accepts = anyString): Operator => ({ test, negated: false, accepts });
const negative = (test: Operator['test'], accepts = anyString): Operator => ({ test, negated: true, accepts });
const isNumber = (s: string) => !Number.isNaN(number(s));
const isDate = (s: string) => !Number.isNaN(date(s));
const isNetwork = (s: string) => parseNetwork(s) !== undefined;

/** The operators of IAM's condition language that Trent evaluates, by name in lower case. */
const OPERATORS: ReadonlyMap<string, Operator> = new Map(Object.entries({
  StringEquals: positive(equals),
  StringNotEquals: negative(equals),
  StringEqualsIgnoreCase: positive(equalsIgnoringCase),
  StringNotEqualsIgnoreCase: negative(equalsIgnoringCase),
  StringLike: positive(like),
  StringNotLike: negative(like),
  NumericEquals: positive(compareAs(number, (d) => d === 0), isNumber),
  NumericNotEquals: negative(compareAs(number, (d) => d === 0), isNumber),
  NumericLessThan: positive(compareAs(number, (d) => d < 0), isNumber),
  NumericLessThanEquals: positive(compareAs(number, (d) => d <= 0), isNumber),
  NumericGreaterThan: positive(compareAs(number, (d) => d > 0), isNumber),
  NumericGreaterThanEquals: positive(compareAs(number, (d) => d >= 0), isNumber),
  DateEquals: positive(compareAs(date, (d) => d === 0), isDate),
  DateNotEquals: negative(compareAs(date, (d) => d === 0), isDate),
  DateLessThan: positive(compareAs(date, (d) => d < 0), isDate),
  DateLessThanEquals: positive(compareAs(date, (d) => d <= 0), isDate),
  DateGreaterThan: positive(compareAs(date, (d) => d > 0), isDate),
  DateGreaterThanEquals: positive(compareAs(date, (d) => d >= 0), isDate),
  Bool: positive(equalsIgnoringCase, isBoolean),
  IpAddress: positive(inNetwork, isNetwork),
  NotIpAddress: negative(inNetwork, isNetwork),
  // ArnEquals takes wildcards as ArnLike does (IAM documents them as the same test).
  ArnEquals: positive(like),
  ArnLike: positive(like),
  ArnNotEquals: negative(like),
  ArnNotLike: negative(like),
}).map(([name, op]) => [name.toLowerCase(), op]));

type SetQualifier = 'forAnyValue' | 'forAllValues' | undefined;

/** A condition operator as a policy names it: Null, or an operator with its set qualifier and IfExists. */
export interface ConditionOperator {
  readonly base: Operator | 'null';
  readonly qualifier: SetQualifier;
  readonly ifExists: boolean;
}

/** One test of a Condition block: `operator` over the request's values of `key` and the policy's `values`. */
export interface Condition {
  readonly operator: ConditionOperator;
  /** In lower case, as the lookup takes it. */
  readonly key: string;
  readonly values: readonly string[];
}

const NULL: ConditionOperator = { base: 'null', qualifier: undefined, ifExists: false };

/**
 * The operator a Condition block names (`ForAnyValue:StringLikeIfExists`…), names compared without case; undefined
 * for a name IAM does not have or Trent does not evaluate (BinaryEquals), which a policy may then not use.
 */
export function conditionOperator(name: string): ConditionOperator | undefined {
  const lower = name.toLowerCase();
  if (lower === 'null') return NULL;
  const [qualifier, rest] = lower.startsWith('foranyvalue:') ? ['forAnyValue' as const, lower.slice('foranyvalue:'.length)]
    : lower.startsWith('forallvalues:') ? ['forAllValues' as const, lower.slice('forallvalues:'.length)]
      : [undefined, lower];
  const ifExists = rest.endsWith('ifexists');
  const base = OPERATORS.get(ifExists ? rest.slice(0, -'ifexists'.length) : rest);
  return base && { base, qualifier, ifExists };
}

/** Whether `value` is one `operator` compares with: Null and Bool take true or false, Numeric… a number, and so on. */
export function acceptsValue(operator: ConditionOperator, value: string): boolean {
  return operator.base === 'null' ? isBoolean(value) : operator.base.accepts(value);
}

/**
 * Evaluates a statement's conditions against a request, as IAM does: every one must hold; a key holds when any
 * of its policy values matches (none, for a Not… operator). A key absent from the request fails a positive
 * operator and passes a Not… one, IfExists passes it, ForAllValues passes it and ForAnyValue fails it; Null
 * tests presence. A key the request gives several readings of (ConditionValues) is decided against the
 * statement, whatever the operator: a Deny applies when any reading meets its conditions, an Allow only when
 * every reading does, so that no reading dodges a Deny or widens an Allow. Each condition is decided on its
 * own: with two such keys a Deny may apply though no one reading of both meets all its conditions (the doubt
 * goes to the Deny); an Allow needs every condition under every reading, which is exact.
 */
export function evaluateConditions(conditions: readonly Condition[], lookup: ConditionLookup,
  effect: 'Allow' | 'Deny'): ConditionVerdict {
  let verdict: ConditionVerdict = true;
  for (const condition of conditions) {
    const values = lookup(condition.key);
    if (values === undefined) return 'unknown';
    let holds: boolean;
    if (values !== 'absent' && 'oneOf' in values) {
      const readings = values.oneOf.map((v) => conditionHolds(condition, [v]));
      holds = effect === 'Deny' ? readings.some(Boolean) : readings.every(Boolean);
    } else {
      holds = conditionHolds(condition, values);
    }
    if (!holds) verdict = false;
  }
  return verdict;
}

function conditionHolds({ operator, values: policyValues }: Condition, values: readonly string[] | 'absent'): boolean {
  const present = values !== 'absent' && values.length > 0;
  const { base, qualifier, ifExists } = operator;
  if (base === 'null') return policyValues.some((p) => p.toLowerCase() === (present ? 'false' : 'true'));
  if (!present) {
    if (ifExists || qualifier === 'forAllValues') return true;
    if (qualifier === 'forAnyValue') return false;
    return base.negated;
  }
  const passes = (v: string) => policyValues.some((p) => base.test(v, p)) !== base.negated;
  if (qualifier === 'forAllValues') return values.every(passes);
  if (qualifier === 'forAnyValue') return values.some(passes);
  return base.negated ? values.every(passes) : values.some(passes);
}
