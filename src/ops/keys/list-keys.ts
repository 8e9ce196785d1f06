import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';

export const listKeys: Handler<'ListKeys'> = async (input, ctx) => {
  const { accountId, region } = ctx.caller;
  const limit = pageLimit(input.Limit);
  const after = decodeMarker('ListKeys', input.Marker);
  const rows = await ctx.deps.store.listKeys(accountId, region, { after, limit: limit + 1 });
  const page = toPage('ListKeys', rows, limit, (k) => k.keyId);
  return {
    Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: arnOf(k) })),
    NextMarker: page.nextMarker,
    Truncated: page.truncated,
  };
};
