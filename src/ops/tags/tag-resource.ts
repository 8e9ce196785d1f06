import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkTags, tagRecords } from '../tags.js';

/** TagResource: a tag key already on the key gets the new value; the 50-tag quota counts the key's existing tags. */
export const tagResource: Handler<'TagResource'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'TagResource', input.KeyId, { aliases: false });
    checkTags(input.Tags, await tx.listTags(key));
    await tx.putTags(key, tagRecords(input.Tags));
  });
  return {};
};
