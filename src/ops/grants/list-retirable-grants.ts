import { KmsError } from '../../model/errors.js';
import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { grantEntry } from './grant-entry.js';

/**
 * ListRetirableGrants: the grants of the caller's Region, on keys of any account, whose retiring principal is
 * the one named, which must be of the caller's account ("You must specify a principal in your AWS account").
 * Limit 1–100, default 50. Authorized by IAM policies in AWS, which Trent does not have yet.
 */
export const listRetirableGrants: Handler<'ListRetirableGrants'> = async (input, ctx) => {
  const { caller } = ctx;
  if (accountOf(input.RetiringPrincipal) !== caller.accountId) {
    throw new KmsError('AccessDeniedException',
      `User: ${caller.principalArn} is not authorized to perform: kms:ListRetirableGrants for ${input.RetiringPrincipal}, a principal of another account`);
  }
  const limit = pageLimit(input.Limit, { default: 50, max: 100 });
  const after = decodeMarker('ListRetirableGrants', input.Marker);
  const rows = await ctx.deps.store.listRetirableGrants(caller.region, input.RetiringPrincipal, { after, limit: limit + 1 });
  const page = toPage('ListRetirableGrants', rows, limit, (g) => `${g.accountId} ${g.keyId} ${g.grantId}`);
  return { Grants: page.items.map(grantEntry), NextMarker: page.nextMarker, Truncated: page.truncated };
};

/** The account of a principal named by account ID or IAM/STS ARN; undefined for anything else (a service). */
function accountOf(principal: string): string | undefined {
  if (/^\d{12}$/.test(principal)) return principal;
  return /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(principal)?.[1];
}
