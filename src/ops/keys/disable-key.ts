import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

/** DisableKey: idempotent; an Unavailable key keeps its state (AWS applies the change when it becomes available). */
export const disableKey: Handler<'DisableKey'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'DisableKey', input.KeyId, { aliases: false });
    if (key.keyState !== 'Enabled') return;
    key.keyState = 'Disabled';
    await tx.updateKey(key);
  });
  return {};
};
