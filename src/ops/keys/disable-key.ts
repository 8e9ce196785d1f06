import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

/**
 * DisableKey: idempotent. An Unavailable key (its custom key store is disconnected) stays Unavailable; the change
 * applies when the store connects again, as in AWS.
 */
export const disableKey: Handler<'DisableKey'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'DisableKey', input.KeyId, { aliases: false });
    if (key.keyState === 'Unavailable') key.stateWhenAvailable = 'Disabled';
    else if (key.keyState === 'Enabled') key.keyState = 'Disabled';
    else return;
    await tx.updateKey(key);
  });
  return {};
};
