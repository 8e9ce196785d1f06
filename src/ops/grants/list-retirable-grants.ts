import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { grantEntry } from './grant-entry.js';

/**
 * ListRetirableGrants: the grants of the caller's account and Region whose retiring principal is the one
 * named, by key, then grant ID. Limit 1–100, default 50. Authorized by IAM policies in AWS, which Trent does
 * not have: every caller may list its own account's.
 */
export const listRetirableGrants: Handler<'ListRetirableGrants'> = async (input, ctx) => {
  const { accountId, region } = ctx.caller;
  const limit = pageLimit(input.Limit, { default: 50, max: 100 });
  const after = decodeMarker('ListRetirableGrants', input.Marker);
  const rows = await ctx.deps.store.listRetirableGrants(accountId, region, input.RetiringPrincipal, { after, limit: limit + 1 });
  const page = toPage('ListRetirableGrants', rows, limit, (g) => `${g.keyId} ${g.grantId}`);
  return { Grants: page.items.map(grantEntry), NextMarker: page.nextMarker, Truncated: page.truncated };
};
