import { evaluateConditions, type ConditionLookup } from './conditions.js';
import type { Names, PolicyDocument, PrincipalSpec, Statement } from './document.js';
import { wildcardMatch } from './wildcard.js';
import { accountRootArn } from '../util/arn.js';

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
  /** The key's ARN. */
  readonly resource: string;
  /** The request's condition keys. */
  readonly conditions: ConditionLookup;
}

/** `implicitDeny`: no statement allows; `explicitDeny`: a statement denies, whatever others allow. */
export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

/**
 * Whether a key policy's Principal names the caller. Naming an account (its root ARN or its 12-digit ID)
 * delegates to that account's IAM policies; Trent has no IAM, so it takes every principal of a named account
 * as allowed by its IAM. `*` is anyone; any other ARN (a user, a role) names that principal alone. A service
 * principal is never a Trent caller.
 */
function principalMatches(spec: PrincipalSpec, p: Principal): boolean {
  if (spec === '*') return true;
  const root = accountRootArn(p.partition, p.accountId);
  return spec.AWS.some((n) => n === '*' || n === p.arn || n === root || n === p.accountId);
}

/** Whether Action/NotAction (Resource/NotResource) covers `value`; a statement with neither covers nothing. */
function covers(names: Names | undefined, value: string, ignoreCase: boolean): boolean {
  if (!names) return false;
  return names.patterns.some((pattern) => wildcardMatch(pattern, value, ignoreCase)) !== names.not;
}

/** Principal, action and resource: everything but the conditions. */
function statementNames(s: Statement, req: AccessRequest): boolean {
  return principalMatches(s.principals.spec, req.principal) !== s.principals.not
    && covers(s.actions, req.action, true) && covers(s.resources, req.resource, false);
}

/** Whether the statement's conditions let it take effect; a condition key Trent does not know fails closed. */
function conditionsLetApply(s: Statement, req: AccessRequest): boolean {
  if (s.conditions.length === 0) return true;
  const verdict = evaluateConditions(s.conditions, req.conditions, s.effect);
  return verdict === 'unknown' ? s.effect === 'Deny' : verdict;
}

/**
 * IAM's evaluation of one key policy: an explicit Deny wins, then any Allow; nothing said is a deny. Every
 * request's, and the lockout safety check's (may this caller still change the policy?).
 */
export function decide(doc: PolicyDocument, req: AccessRequest): Decision {
  let allowed = false;
  for (const s of doc.statements) {
    if (!statementNames(s, req) || !conditionsLetApply(s, req)) continue;
    if (s.effect === 'Deny') return 'explicitDeny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicitDeny';
}
