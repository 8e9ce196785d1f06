import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

/** UntagResource: a tag key the key does not have is ignored, as in AWS. */
export const untagResource: Handler<'UntagResource'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'UntagResource', input.KeyId, { aliases: false });
    await tx.deleteTags(key, input.TagKeys);
  });
  return {};
};
