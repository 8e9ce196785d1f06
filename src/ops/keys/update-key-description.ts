import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

export const updateKeyDescription: Handler<'UpdateKeyDescription'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'UpdateKeyDescription', input.KeyId, { aliases: false });
    key.description = input.Description;
    await tx.updateKey(key);
  });
  return {};
};
