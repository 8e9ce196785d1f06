import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

/**
 * EnableKey: idempotent. An Unavailable key (its custom key store is disconnected) stays Unavailable; the change
 * applies when the store connects again, as in AWS.
 */
export const enableKey: Handler<'EnableKey'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'EnableKey', input.KeyId, { aliases: false });
    if (key.keyState === 'Unavailable') key.stateWhenAvailable = 'Enabled';
    else if (key.keyState === 'Disabled') key.keyState = 'Enabled';
    else return;
    await tx.updateKey(key);
  });
  return {};
};
