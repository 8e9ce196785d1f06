import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

/** EnableKey: idempotent; an Unavailable key keeps its state (AWS applies the change when it becomes available). */
export const enableKey: Handler<'EnableKey'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'EnableKey', input.KeyId, { aliases: false });
    if (key.keyState !== 'Disabled') return;
    key.keyState = 'Enabled';
    await tx.updateKey(key);
  });
  return {};
};
