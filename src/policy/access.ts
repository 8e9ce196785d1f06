import type { PolicyDocument } from './document.js';
import { evaluatePolicy, type AccessRequest, type PolicyVerdict } from './evaluate.js';

/**
 * Everything AWS's evaluation of one KMS request reads, but grants: the request, the key's policy and the
 * caller's identity policies.
 */
export interface AccessQuestion extends AccessRequest {
  /** The account that owns the resource. */
  readonly resourceAccountId: string;
  /**
   * The resource's policy: a key's policy (or a role's trust policy). Undefined for an action on no key
   * (CreateKey, ListKeys, an alias), which the caller's identity policies alone decide; null for a stored policy
   * that no longer parses, which allows nothing.
   */
  readonly resourcePolicy: PolicyDocument | null | undefined;
  /** The inline policies of the caller's user or role; none for an account root, which IAM allows everything. */
  readonly identityPolicies: readonly PolicyDocument[];
}

/** Why a request is refused, in the words AWS's AccessDeniedException uses. */
export type DenialReason =
  | 'explicitDenyInResourcePolicy'
  | 'explicitDenyInIdentityPolicy'
  | 'noIdentityPolicyAllows'
  | 'noResourcePolicyAllows';

export type AccessVerdict =
  | { readonly allowed: true; readonly decidedBy: string }
  | {
    readonly allowed: false;
    readonly reason: DenialReason;
    /** What decided, for an operator reading a denial (the dev log): the policy and statement. */
    readonly decidedBy: string;
  };

/**
 * AWS's authorization of a KMS request, short of grants (which may still allow what this refuses, unless the
 * refusal is an explicit Deny: `grantMayAllow`):
 * - an explicit Deny in the key policy or in an identity policy refuses, whatever else allows;
 * - a key policy Allow naming the caller (its user, its role, or `*`) allows a caller of the key's account;
 * - a key policy Allow naming the caller's account delegates to the account's IAM: its identity policies must
 *   allow (the account root needs none);
 * - a caller of another account needs both: the key policy naming it or its account, and its identity policies;
 * - without a key (CreateKey, ListKeys...), the identity policies alone decide.
 */
export function decideAccess(q: AccessQuestion): AccessVerdict {
  // A caller with no IAM identity acts as its account's root (dev's any-credentials callers do too).
  const isRoot = q.principal.identityArn === undefined;
  const key: PolicyVerdict | undefined = q.resourcePolicy === undefined ? undefined
    : q.resourcePolicy === null ? { decision: 'implicitDeny' } : evaluatePolicy(q.resourcePolicy, q);
  const keyStatement = `key policy statement ${key?.statement ?? ''}`.trim();
  if (key?.decision === 'explicitDeny') return deny('explicitDenyInResourcePolicy', keyStatement);

  const identity = isRoot ? { decision: 'allow' as const, by: 'the account root' } : identityDecision(q);
  if (identity.decision === 'explicitDeny') return deny('explicitDenyInIdentityPolicy', identity.by);

  const identityAllows = identity.decision === 'allow';
  if (key === undefined) {
    return identityAllows ? allow(identity.by) : deny('noIdentityPolicyAllows', identity.by);
  }
  if (key.decision === 'implicitDeny') {
    return deny('noResourcePolicyAllows', q.resourcePolicy === null ? 'the key policy, which no longer parses' : 'no key policy statement');
  }
  const sameAccount = q.principal.accountId === q.resourceAccountId;
  if (key.decision === 'allow' && sameAccount) return allow(keyStatement);
  return identityAllows
    ? allow(`${keyStatement} and ${identity.by}`)
    : deny('noIdentityPolicyAllows', `${keyStatement} leaves it to IAM, and ${identity.by}`);
}

/** Whether a grant may still allow what `verdict` refuses: anything but an explicit Deny. */
export function grantMayAllow(verdict: AccessVerdict): boolean {
  return !verdict.allowed && verdict.reason !== 'explicitDenyInResourcePolicy' && verdict.reason !== 'explicitDenyInIdentityPolicy';
}

/** The caller's identity policies together: a Deny in any wins, then an Allow in any. */
function identityDecision(q: AccessQuestion): { decision: 'allow' | 'explicitDeny' | 'implicitDeny'; by: string } {
  let allowedBy: string | undefined;
  for (const [i, doc] of q.identityPolicies.entries()) {
    const { decision, statement } = evaluatePolicy(doc, q);
    const by = `identity policy ${i + 1} statement ${statement ?? ''}`;
    if (decision === 'explicitDeny') return { decision, by };
    if (decision !== 'implicitDeny') allowedBy ??= by;
  }
  return allowedBy ? { decision: 'allow', by: allowedBy } : { decision: 'implicitDeny', by: 'no identity policy statement allows it' };
}

function allow(decidedBy: string): AccessVerdict {
  return { allowed: true, decidedBy };
}

function deny(reason: DenialReason, decidedBy: string): AccessVerdict {
  return { allowed: false, reason, decidedBy };
}

/** AWS's AccessDeniedException message for a refusal of `action` on `resource` ("resource: arn…", or another naming). */
export function denialMessage(principalArn: string, action: string, resource: string, reason: DenialReason): string {
  const head = `User: ${principalArn} is not authorized to perform: ${action} on ${resource}`;
  switch (reason) {
    case 'explicitDenyInResourcePolicy': return `${head} with an explicit deny in a resource-based policy`;
    case 'explicitDenyInIdentityPolicy': return `${head} with an explicit deny in an identity-based policy`;
    case 'noIdentityPolicyAllows': return `${head} because no identity-based policy allows the ${action} action`;
    case 'noResourcePolicyAllows': return `${head} because no resource-based policy allows the ${action} action`;
  }
}
