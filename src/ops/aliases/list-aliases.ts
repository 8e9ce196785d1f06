import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { aliasEntry } from './alias-rules.js';

/** ListAliases, of the account and Region or of one key (KeyId: key ID or key ARN). Limit 1–100, default 50. */
export const listAliases: Handler<'ListAliases'> = async (input, ctx) => {
  const { accountId, region } = ctx.caller;
  const limit = pageLimit(input.Limit, { default: 50, max: 100 });
  const after = decodeMarker('ListAliases', input.Marker);
  const keyId = input.KeyId === undefined
    ? undefined
    : (await resolveKey(ctx, 'ListAliases', input.KeyId, { aliases: false })).keyId;
  const rows = await ctx.deps.store.listAliases(accountId, region, keyId, { after, limit: limit + 1 });
  const page = toPage('ListAliases', rows, limit, (a) => a.aliasName);
  return { Aliases: page.items.map(aliasEntry), NextMarker: page.nextMarker, Truncated: page.truncated };
};
