import { evaluateConditions, type ConditionLookup } from './conditions.js';
import type { PolicyDocument, Statement } from './document.js';
import { wildcardMatch } from './wildcard.js';

export interface Principal {
  /** e.g. arn:aws:iam::111122223333:user/alice, or the account's root */
  readonly arn: string;
  readonly accountId: string;
  readonly partition: string;
}

export interface AccessRequest {
  readonly principal: Principal;
  /** e.g. kms:Encrypt */
  readonly action: string;
  /** The key's ARN; undefined before the key exists (CreateKey's lockout check), when every Resource matches. */
  readonly resource?: string | undefined;
  /**
   * The request's condition keys; undefined when there is no request yet (the lockout check): then a statement
   * with conditions counts if it is an Allow (it may allow) and not if it is a Deny (it may not deny).
   */
  readonly conditions?: ConditionLookup | undefined;
}

/** `implicitDeny`: no statement allows; `explicitDeny`: a statement denies, whatever others allow. */
export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

function asList(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/**
 * Whether a key policy's Principal names the caller. Naming an account (its root ARN or its 12-digit ID)
 * delegates to that account's IAM policies; Trent has no IAM, so it takes every principal of a named account
 * as allowed by its IAM. `*` is anyone; any other ARN (a user, a role) names that principal alone.
 */
function principalMatches(spec: unknown, p: Principal): boolean {
  if (spec === '*') return true;
  if (typeof spec !== 'object' || spec === null) return false;
  const names = asList((spec as Record<string, unknown>).AWS);
  const root = `arn:${p.partition}:iam::${p.accountId}:root`;
  return names.some((n) => n === '*' || n === p.arn || n === root || n === p.accountId);
}

function matchesAny(patterns: unknown, value: string, ignoreCase: boolean): boolean {
  return asList(patterns).some((pattern) => wildcardMatch(pattern, value, ignoreCase));
}

/** Principal, action and resource: everything but the conditions. A statement with neither Action nor NotAction applies to nothing. */
function statementNames(s: Statement, req: AccessRequest): boolean {
  const principal = s.Principal !== undefined ? principalMatches(s.Principal, req.principal) : !principalMatches(s.NotPrincipal, req.principal);
  if (!principal) return false;
  const action = s.Action !== undefined ? matchesAny(s.Action, req.action, true)
    : s.NotAction !== undefined ? !matchesAny(s.NotAction, req.action, true) : false;
  if (!action) return false;
  if (req.resource === undefined) return true;
  if (s.Resource !== undefined) return matchesAny(s.Resource, req.resource, false);
  if (s.NotResource !== undefined) return !matchesAny(s.NotResource, req.resource, false);
  return false;
}

/** Whether the statement's conditions let it take effect; a condition Trent cannot evaluate fails closed. */
function conditionsLetApply(s: Statement, req: AccessRequest): boolean {
  if (s.Condition === undefined) return true;
  if (!req.conditions) return s.Effect === 'Allow';
  const verdict = evaluateConditions(s.Condition, req.conditions);
  return verdict === 'unknown' ? s.Effect === 'Deny' : verdict;
}

/** IAM's evaluation of one key policy: an explicit Deny wins, then any Allow; nothing said is a deny. */
export function decide(doc: PolicyDocument, req: AccessRequest): Decision {
  let allowed = false;
  for (const s of doc.Statement) {
    if (!statementNames(s, req) || !conditionsLetApply(s, req)) continue;
    if (s.Effect === 'Deny') return 'explicitDeny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicitDeny';
}

/**
 * Whether the policy may let `p` perform `action` on the key it is attached to, before any request: the
 * lockout safety check of CreateKey and PutKeyPolicy (a policy that would lock the caller out of PutKeyPolicy
 * is refused unless the caller bypasses the check). The same evaluation as every request's.
 */
export function mayAllow(doc: PolicyDocument, p: Principal, action: string): boolean {
  return decide(doc, { principal: p, action }) === 'allow';
}
