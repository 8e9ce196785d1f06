import { KmsError } from '../model/errors.js';
import { acceptsValue, conditionOperator, type Condition } from './conditions.js';

/** AWS's key policy size quota: 32 KB, counted in bytes, whatever the model's looser length limit says. */
export const MAX_POLICY_BYTES = 32_768;

/** Whom a Principal names: anyone, or AWS principals (account IDs, IAM and STS ARNs, `*`) and service principals. */
export type PrincipalSpec = '*' | { readonly AWS: readonly string[]; readonly Service: readonly string[] };

/** A statement's Principal, or its NotPrincipal (`not`): everyone but those named. */
export interface Principals {
  readonly spec: PrincipalSpec;
  readonly not: boolean;
}

/** A statement's Action or NotAction (Resource or NotResource): its patterns, and whether they are the exceptions. */
export interface Names {
  readonly patterns: readonly string[];
  readonly not: boolean;
}

/** A statement as evaluation reads it: checked, each list a list, its Condition block parsed. */
export interface Statement {
  /** Its Sid, or its place in the policy (`#1` for the first) when it has none: how a decision names it. */
  readonly name: string;
  readonly effect: 'Allow' | 'Deny';
  /** Undefined in an identity policy: it applies to the identity it is attached to. */
  readonly principals: Principals | undefined;
  /** Undefined for a statement with no Action nor NotAction (Resource…): AWS accepts it, and it applies to nothing. */
  readonly actions: Names | undefined;
  readonly resources: Names | undefined;
  readonly conditions: readonly Condition[];
}

export interface PolicyDocument {
  readonly statements: readonly Statement[];
}

function malformed(message: string): KmsError {
  return new KmsError('MalformedPolicyDocumentException', message);
}

/** AWS's message for a principal it does not accept (the one its documentation and users quote). */
export const INVALID_PRINCIPALS = 'Policy contains a statement with one or more invalid principals.';
const POLICY_ELEMENTS: ReadonlySet<string> = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS: ReadonlySet<string> = new Set([
  'Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition',
]);

/**
 * Checks a key policy as CreateKey and PutKeyPolicy do, and reads it for evaluation: size first
 * (LimitExceededException), then the whole grammar (MalformedPolicyDocumentException). Every element must be
 * one IAM defines, in the form it defines: a misspelt `Conditions`, or a Condition of `null`, `[]` or `true`,
 * would otherwise be read as no condition and make a conditional Allow unconditional. Statements without Action
 * or Resource are accepted, as AWS accepts them (they have no effect); a statement without a principal is not,
 * since key policies name principals.
 */
export function parsePolicy(text: string): PolicyDocument {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) {
    throw new KmsError('LimitExceededException', `Policy exceeds the maximum size of ${MAX_POLICY_BYTES} bytes.`);
  }
  return parseDocument(text, 'resource');
}

/**
 * Reads an IAM identity policy (a user's or a role's inline policy) with the same grammar, except that its
 * statements name no principal (IAM refuses one: the policy applies to the identity it is attached to) and
 * each must say which resources it covers. Its size is IAM's business (the caller's), not checked here.
 */
export function parseIdentityPolicy(text: string): PolicyDocument {
  return parseDocument(text, 'identity');
}

/** Whom a policy's statements name: a resource policy names principals; an identity policy is attached to one. */
type PolicyKind = 'resource' | 'identity';

function parseDocument(text: string, kind: PolicyKind): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed('The policy document is not valid JSON.');
  }
  if (!isObject(doc)) throw malformed('The policy document must be a JSON object.');
  const unknown = Object.keys(doc).find((k) => !POLICY_ELEMENTS.has(k));
  if (unknown !== undefined) throw malformed(`Policy contains an unknown element: ${unknown}.`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
    throw malformed(`Invalid policy version: ${String(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Policy has an invalid Id.');
  const raw = doc.Statement;
  if (raw === undefined) throw malformed('Policy is missing required element - Statement');
  const statements = Array.isArray(raw) ? raw : [raw];
  if (statements.length === 0) throw malformed('Policy is missing required element - Statement');
  const parsed = statements.map((st, i) => parseStatement(st, i, kind));
  // AWS's troubleshooting for this exception names duplicate statement IDs among its causes.
  const sids = statements.map((st: Record<string, unknown>) => st.Sid).filter((sid) => sid !== undefined);
  const repeated = sids.find((sid, i) => sids.indexOf(sid) !== i);
  if (repeated !== undefined) throw malformed(`Policy contains more than one statement with the Sid ${String(repeated)}.`);
  return { statements: parsed };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseStatement(s: unknown, index: number, kind: PolicyKind): Statement {
  if (!isObject(s)) throw malformed('Policy contains an invalid statement.');
  const unknown = Object.keys(s).find((k) => !STATEMENT_ELEMENTS.has(k));
  if (unknown !== undefined) throw malformed(`Policy contains a statement with an unknown element: ${unknown}.`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed('Policy contains a statement with an invalid Sid.');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed('Policy contains a statement with an invalid Effect.');
  if (kind === 'identity') {
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) throw malformed('Policy document should not specify a principal.');
    if (s.Resource === undefined && s.NotResource === undefined) throw malformed('Policy statement must contain resources.');
  }
  return {
    name: typeof s.Sid === 'string' && s.Sid !== '' ? s.Sid : `#${index + 1}`,
    effect: s.Effect,
    principals: kind === 'resource' ? principalsOf(s) : undefined,
    actions: namesOf(s, 'Action', 'NotAction', (a) => a === '*' || /^[A-Za-z0-9-]+:[^:\s]+$/.test(a)),
    resources: namesOf(s, 'Resource', 'NotResource', (r) => r === '*' || r.startsWith('arn:')),
    conditions: conditionsOf(s.Condition),
  };
}

/** Which of an element and its Not… form the statement has: one at most. */
function elementOrNot(s: Record<string, unknown>, element: string, notElement: string): [string, unknown, boolean] | undefined {
  const has = s[element] !== undefined;
  const hasNot = s[notElement] !== undefined;
  if (has && hasNot) throw malformed(`Policy contains a statement with both ${element} and ${notElement}.`);
  if (!has && !hasNot) return undefined;
  return has ? [element, s[element], false] : [notElement, s[notElement], true];
}

/** A string, or a non-empty list of strings, as a list; undefined for anything else. */
function stringList(v: unknown): readonly string[] | undefined {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? v as string[] : undefined;
}

function principalsOf(s: Record<string, unknown>): Principals {
  const element = elementOrNot(s, 'Principal', 'NotPrincipal');
  if (!element) throw malformed('Policy contains a statement with no principal.');
  const [, value, not] = element;
  const spec = principalSpec(value);
  if (!spec) throw malformed(INVALID_PRINCIPALS);
  return { spec, not };
}

const AWS_PRINCIPAL = /^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+)$/;
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/;

/** `"*"`, or an object of `AWS` and `Service` lists (each a string or a non-empty list), at least one of them. */
function principalSpec(v: unknown): PrincipalSpec | undefined {
  if (v === '*') return '*';
  if (!isObject(v) || Object.keys(v).length === 0 || Object.keys(v).some((k) => k !== 'AWS' && k !== 'Service')) return undefined;
  const aws = v.AWS === undefined ? [] : stringList(v.AWS);
  const service = v.Service === undefined ? [] : stringList(v.Service);
  if (!aws?.every((p) => AWS_PRINCIPAL.test(p)) || !service?.every((p) => SERVICE_PRINCIPAL.test(p))) return undefined;
  return { AWS: aws, Service: service };
}

function namesOf(s: Record<string, unknown>, element: string, notElement: string, valid: (name: string) => boolean): Names | undefined {
  const found = elementOrNot(s, element, notElement);
  if (!found) return undefined;
  const [name, value, not] = found;
  const patterns = stringList(value);
  if (!patterns?.every(valid)) throw malformed(`Policy contains a statement with an invalid ${name}.`);
  return { patterns, not };
}

function invalidCondition(why: string): KmsError {
  return malformed(`Policy contains a statement with an invalid Condition: ${why}.`);
}

/** A Condition block: an object of operator names, each an object of condition keys, each a value or a non-empty list. */
function conditionsOf(block: unknown): Condition[] {
  if (block === undefined) return [];
  if (!isObject(block)) throw invalidCondition('it must be an object of condition operators');
  const conditions: Condition[] = [];
  for (const [name, keys] of Object.entries(block)) {
    const operator = conditionOperator(name);
    if (!operator) throw invalidCondition(`unknown condition operator ${name}`);
    if (!isObject(keys) || Object.keys(keys).length === 0) throw invalidCondition(`${name} must map condition keys to values`);
    for (const [key, raw] of Object.entries(keys)) {
      if (!/^[^:\s]+:\S+$/.test(key)) throw invalidCondition(`invalid condition key ${key}`);
      const values = conditionValues(raw);
      if (!values?.every((v) => acceptsValue(operator, v))) throw invalidCondition(`invalid value for ${name} ${key}`);
      conditions.push({ operator, key: key.toLowerCase(), values });
    }
  }
  return conditions;
}

/** A string, boolean or number, or a non-empty list of them, as strings (IAM compares them as written). */
function conditionValues(v: unknown): string[] | undefined {
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isFinite(x));
  if (scalar(v)) return [String(v)];
  return Array.isArray(v) && v.length > 0 && v.every(scalar) ? v.map(String) : undefined;
}

/**
 * The default key policy AWS attaches when CreateKey gets none: the account's root principal may do
 * everything, which delegates access control to IAM. Formatted as AWS returns it from GetKeyPolicy.
 */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:${partition}:iam::${accountId}:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`;
}
