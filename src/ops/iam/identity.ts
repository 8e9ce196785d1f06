import { KmsError } from '../../model/errors.js';
import { QueryError } from '../../model/query-errors.js';
import { parseIdentityPolicy, parsePolicy } from '../../policy/document.js';
import type { IdentityKind, IdentityRecord, InlinePolicyRecord, StoreReads } from '../../store/types.js';
import { partitionOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';

/** IAM's ARN of a user or role: arn:aws:iam::ACCT:user/path/name (paths begin and end with /). */
export function identityArn(ctx: OpContext, r: IdentityRecord): string {
  return `arn:${partitionOf(ctx.caller.region)}:iam::${r.accountId}:${r.kind}${r.path}${r.name}`;
}

const KIND_NAME: Record<IdentityKind, string> = { user: 'user', role: 'role' };

export function noSuchIdentity(kind: IdentityKind, name: string): QueryError {
  return new QueryError('NoSuchEntity', `The ${KIND_NAME[kind]} with name ${name} cannot be found.`);
}

/** The caller's account's user (role) `name`, or NoSuchEntity as IAM words it. */
export async function requireIdentity(reads: StoreReads, ctx: OpContext, kind: IdentityKind, name: string): Promise<IdentityRecord> {
  const found = await reads.getIdentity(ctx.caller.accountId, kind, name);
  if (!found) throw noSuchIdentity(kind, name);
  return found;
}

export async function requireInlinePolicy(reads: StoreReads, ctx: OpContext, owner: IdentityRecord, policyName: string):
  Promise<InlinePolicyRecord> {
  const found = await reads.getInlinePolicy(ctx.caller.accountId, owner.kind, owner.name, policyName);
  if (!found) throw new QueryError('NoSuchEntity', `The ${KIND_NAME[owner.kind]} policy with name ${policyName} cannot be found.`);
  return found;
}

/**
 * The user name an operation acts on when UserName is optional (GetUser, the access key operations): the one
 * given, else the caller's own user; the account root acts on its own keys (undefined). An assumed role has no
 * user to default to.
 */
export function userNameOrCaller(ctx: OpContext, userName: string | undefined): string | undefined {
  if (userName !== undefined) return userName;
  const identity = ctx.caller.identityArn;
  if (identity === undefined) return undefined;
  const user = /:user\/(?:.*\/)?([^/]+)$/.exec(identity)?.[1];
  if (user === undefined) throw new QueryError('ValidationError', 'Must specify userName when calling with non-User credentials');
  return user;
}

/**
 * Checks a policy document with the policy language's grammar (policy/document.ts), as IAM's
 * MalformedPolicyDocument. An identity policy names no principal (the identity it is attached to is the
 * principal): IAM refuses one that does.
 */
export function checkPolicyDocument(text: string, kind: 'identity' | 'trust'): void {
  try {
    if (kind === 'trust') parsePolicy(text);
    else parseIdentityPolicy(text);
  } catch (e) {
    if (e instanceof QueryError) throw e;
    if (e instanceof SyntaxError) throw new QueryError('MalformedPolicyDocument', 'Syntax errors in policy.');
    if (e instanceof KmsError && e.type === 'LimitExceededException') throw new QueryError('LimitExceeded', e.message);
    if (e instanceof KmsError) throw new QueryError('MalformedPolicyDocument', e.message);
    throw e;
  }
}

/** A page of a name-ordered listing: IAM's Marker is where the last page ended, MaxItems at most 1000 (100 by default). */
export function pageOf(marker: string | undefined, maxItems: number | undefined): { after: string | undefined; limit: number } {
  return { after: marker, limit: (maxItems ?? 100) + 1 };
}

/** IsTruncated and Marker for a listing read with pageOf's limit (one more than asked, to know whether more follow). */
export function truncate<T>(items: readonly T[], maxItems: number | undefined, keyOf: (item: T) => string):
  { page: T[]; IsTruncated: boolean; Marker?: string } {
  const max = maxItems ?? 100;
  if (items.length <= max) return { page: [...items], IsTruncated: false };
  const page = items.slice(0, max);
  return { page, IsTruncated: true, Marker: keyOf(page[page.length - 1]!) };
}
