import type { PolicyDocument, Statement } from './document.js';

export interface Principal {
  /** e.g. arn:aws:iam::111122223333:user/alice, or the account's root */
  readonly arn: string;
  readonly accountId: string;
  readonly partition: string;
}

function asList(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** IAM wildcard match: `*` any run, `?` one character; actions compare case-insensitively. */
function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`,
    ignoreCase ? 'i' : '');
  return re.test(value);
}

function principalMatches(spec: unknown, p: Principal): boolean {
  if (spec === '*') return true;
  if (typeof spec !== 'object' || spec === null) return false;
  const names = asList((spec as Record<string, unknown>).AWS);
  const root = `arn:${p.partition}:iam::${p.accountId}:root`;
  // Naming the account (its root or its ID) delegates to the account's own identities.
  return names.some((n) => n === '*' || n === p.arn || n === root || n === p.accountId);
}

function statementApplies(s: Statement, p: Principal, action: string): boolean {
  const principalOk = s.Principal !== undefined ? principalMatches(s.Principal, p) : !principalMatches(s.NotPrincipal, p);
  if (!principalOk) return false;
  if (s.Action !== undefined) return asList(s.Action).some((a) => wildcard(a, action, true));
  if (s.NotAction !== undefined) return !asList(s.NotAction).some((a) => wildcard(a, action, true));
  return false;
}

/**
 * Whether the policy lets `p` perform `action` on the key it is attached to, ignoring conditions (they
 * cannot be known ahead of a request). Used for the lockout safety check: a policy that would lock the
 * caller out of PutKeyPolicy is refused unless the caller bypasses the check.
 */
export function mayAllow(doc: PolicyDocument, p: Principal, action: string): boolean {
  const applicable = doc.Statement.filter((s) => statementApplies(s, p, action));
  const unconditionalDeny = applicable.some((s) => s.Effect === 'Deny' && s.Condition === undefined);
  return !unconditionalDeny && applicable.some((s) => s.Effect === 'Allow');
}
