import type { Handler } from '../context.js';
import { shareWithReplicas } from '../multi-region/related-keys.js';
import { resolveKeyLocked } from '../resolve.js';
import { requireRotatable } from './rotation.js';

export const disableKeyRotation: Handler<'DisableKeyRotation'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'DisableKeyRotation', input.KeyId, { aliases: false });
    requireRotatable(key);
    if (key.rotationPeriodDays === undefined) return;
    key.rotationPeriodDays = undefined;
    key.nextRotationDate = undefined;
    await tx.updateKey(key);
    await shareWithReplicas(tx, key);
  });
  return {};
};
