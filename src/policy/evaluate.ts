import { evaluateConditions, type ConditionLookup } from './conditions.js';
import type { Names, PolicyDocument, Principals, Statement } from './document.js';
import { wildcardMatch } from './wildcard.js';
import { accountRootArn } from '../util/arn.js';

export interface Principal {
  /** As policies name the caller: arn:aws:iam::111122223333:user/alice, a role session's STS ARN, or the account's root. */
  readonly arn: string;
  readonly accountId: string;
  readonly partition: string;
  /** The IAM user, or the role of a session: a policy naming it names the caller too. Absent for the root. */
  readonly identityArn?: string | undefined;
}

export interface AccessRequest {
  readonly principal: Principal;
  /** e.g. kms:Encrypt */
  readonly action: string;
  /** The key's ARN (or an alias's, or `*` for an action on no resource). */
  readonly resource: string;
  /** The request's condition keys. */
  readonly conditions: ConditionLookup;
}

/** `implicitDeny`: no statement allows; `explicitDeny`: a statement denies, whatever others allow. */
export type Decision = 'allow' | 'explicitDeny' | 'implicitDeny';

/**
 * One policy's verdict. `delegated`: the only Allow that applies names the caller's account (its root ARN or its
 * ID) rather than the caller, which in a key policy leaves the decision to the account's IAM policies.
 */
export interface PolicyVerdict {
  readonly decision: Decision | 'delegated';
  /** The statement that decided (the Deny, or the first Allow that applies): its Sid or its place. */
  readonly statement?: string | undefined;
}

/** How a statement's Principal names the caller: itself (or anyone), only through its account, or not at all. */
type Naming = 'caller' | 'account' | undefined;

/**
 * `*` is anyone; an ARN names that principal (a role's ARN also names its sessions); an account root ARN or
 * 12-digit ID names the account, whose own root it names directly. A service principal is never a Trent caller.
 * An identity policy's statement (no Principal) names the identity it is attached to.
 */
function naming(principals: Principals | undefined, p: Principal): Naming {
  if (!principals) return 'caller';
  const { spec, not } = principals;
  let named: Naming;
  if (spec === '*') {
    named = 'caller';
  } else {
    const root = accountRootArn(p.partition, p.accountId);
    for (const n of spec.AWS) {
      if (n === '*' || n === p.arn || n === p.identityArn) {
        named = 'caller';
        break;
      }
      if (n === root || n === p.accountId) named = p.arn === root ? 'caller' : 'account';
    }
  }
  // NotPrincipal: everyone it does not name, by any name.
  if (not) return named ? undefined : 'caller';
  return named;
}

/** Whether Action/NotAction (Resource/NotResource) covers `value`; a statement with neither covers nothing. */
function covers(names: Names | undefined, value: string, ignoreCase: boolean): boolean {
  if (!names) return false;
  return names.patterns.some((pattern) => wildcardMatch(pattern, value, ignoreCase)) !== names.not;
}

/** Whether the statement's conditions let it take effect; a condition key Trent does not know fails closed. */
function conditionsLetApply(s: Statement, req: AccessRequest): boolean {
  if (s.conditions.length === 0) return true;
  const verdict = evaluateConditions(s.conditions, req.conditions, s.effect);
  return verdict === 'unknown' ? s.effect === 'Deny' : verdict;
}

/**
 * IAM's evaluation of one policy: an explicit Deny wins (a Deny naming the caller's account applies to all its
 * principals), then an Allow naming the caller, then one naming only its account; nothing said is a deny. Of the
 * request it reads only the principal, the action, the resource and, through conditions, the rest: VerdictCache
 * (verdict-cache.ts) keeps the verdicts of condition-free policies on that ground.
 */
export function evaluatePolicy(doc: PolicyDocument, req: AccessRequest): PolicyVerdict {
  let allowed: PolicyVerdict | undefined;
  for (const s of doc.statements) {
    const named = naming(s.principals, req.principal);
    if (!named || !covers(s.actions, req.action, true) || !covers(s.resources, req.resource, false)) continue;
    if (!conditionsLetApply(s, req)) continue;
    if (s.effect === 'Deny') return { decision: 'explicitDeny', statement: s.name };
    if (named === 'caller' && allowed?.decision !== 'allow') allowed = { decision: 'allow', statement: s.name };
    allowed ??= { decision: 'delegated', statement: s.name };
  }
  return allowed ?? { decision: 'implicitDeny' };
}

/**
 * The policy's decision alone, an Allow through the caller's account counted as an Allow: what the lockout
 * safety check asks (the account can always be given the permission back through IAM), and a trust policy.
 */
export function decide(doc: PolicyDocument, req: AccessRequest): Decision {
  const { decision } = evaluatePolicy(doc, req);
  return decision === 'delegated' ? 'allow' : decision;
}
