import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { grantEntry } from './grant-entry.js';

/** ListGrants: a key's grants, all or by GrantId or GranteePrincipal, by grant ID. Limit 1–100, default 50. */
export const listGrants: Handler<'ListGrants'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'ListGrants', input.KeyId, { aliases: false });
  const limit = pageLimit(input.Limit, { default: 50, max: 100 });
  const after = decodeMarker('ListGrants', input.Marker);
  const filter = {
    grantId: input.GrantId,
    granteePrincipals: input.GranteePrincipal === undefined ? undefined : [input.GranteePrincipal],
  };
  const rows = await ctx.deps.store.listGrants(key, filter, { after, limit: limit + 1 });
  const page = toPage('ListGrants', rows, limit, (g) => g.grantId);
  return { Grants: page.items.map(grantEntry), NextMarker: page.nextMarker, Truncated: page.truncated };
};
