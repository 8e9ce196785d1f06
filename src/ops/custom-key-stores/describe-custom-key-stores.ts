import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { customKeyStoreNotFound, storeEntry } from './key-stores.js';

const LISTING = 'DescribeCustomKeyStores';

/**
 * DescribeCustomKeyStores: every store of the account in the Region, by ID, a page at a time; or the one a
 * CustomKeyStoreId or CustomKeyStoreName names (both: the store must have both), which must exist.
 */
export const describeCustomKeyStores: Handler<'DescribeCustomKeyStores'> = async (input, ctx) => {
  const { accountId, region } = ctx.caller;
  const { store } = ctx.deps;
  if (input.CustomKeyStoreId !== undefined || input.CustomKeyStoreName !== undefined) {
    const found = input.CustomKeyStoreId !== undefined
      ? await store.getCustomKeyStore(accountId, region, input.CustomKeyStoreId)
      : (await store.listCustomKeyStores(accountId, region, { limit: Number.MAX_SAFE_INTEGER })).find((s) => s.name === input.CustomKeyStoreName);
    if (!found || (input.CustomKeyStoreName !== undefined && found.name !== input.CustomKeyStoreName)) throw customKeyStoreNotFound();
    return { CustomKeyStores: [storeEntry(found)], Truncated: false };
  }
  const after = decodeMarker(LISTING, input.Marker);
  const limit = pageLimit(input.Limit);
  const rows = await store.listCustomKeyStores(accountId, region, { after, limit: limit + 1 });
  const page = toPage(LISTING, rows, limit, (s) => s.customKeyStoreId);
  return { CustomKeyStores: page.items.map(storeEntry), NextMarker: page.nextMarker, Truncated: page.truncated };
};
