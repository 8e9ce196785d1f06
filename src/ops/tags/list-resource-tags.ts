import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { MAX_TAGS_PER_KEY } from '../tags.js';

/** ListResourceTags: Limit 1–50, default 50, in tag-key order (a key holds at most 50, so one read pages them). */
export const listResourceTags: Handler<'ListResourceTags'> = async (input, ctx) => {
  const limit = pageLimit(input.Limit, { default: MAX_TAGS_PER_KEY, max: MAX_TAGS_PER_KEY });
  const after = decodeMarker('ListResourceTags', input.Marker);
  const key = await resolveKey(ctx, 'ListResourceTags', input.KeyId, { aliases: false });
  // Ordered and compared in JavaScript's string order, so the marker's position means the same on every page.
  const rows = (await ctx.deps.store.listTags(key))
    .sort((a, b) => (a.tagKey < b.tagKey ? -1 : 1))
    .filter((t) => after === undefined || t.tagKey > after);
  const page = toPage('ListResourceTags', rows.slice(0, limit + 1), limit, (t) => t.tagKey);
  return {
    Tags: page.items.map((t) => ({ TagKey: t.tagKey, TagValue: t.tagValue })),
    NextMarker: page.nextMarker,
    Truncated: page.truncated,
  };
};
