import type { Handler } from '../context.js';
import { shareWithReplicas } from '../multi-region/related-keys.js';
import { resolveKeyLocked } from '../resolve.js';
import { DEFAULT_ROTATION_PERIOD_DAYS, addDays, requireRotatable } from './rotation.js';

/**
 * EnableKeyRotation. The first rotation is one period after enabling. Enabling again changes the period and
 * keeps the anchor: the next rotation moves to (previous next rotation − old period) + new period, or to now
 * if that has passed (the scheduler then rotates at once). So re-applying the same setting, as infrastructure
 * tools do on every run, never postpones a rotation.
 */
export const enableKeyRotation: Handler<'EnableKeyRotation'> = async (input, ctx) => {
  const period = input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'EnableKeyRotation', input.KeyId, { aliases: false });
    requireRotatable(key);
    const anchor = key.rotationPeriodDays !== undefined && key.nextRotationDate
      ? addDays(key.nextRotationDate, -key.rotationPeriodDays)
      : ctx.now;
    const next = addDays(anchor, period);
    key.rotationPeriodDays = period;
    key.nextRotationDate = next < ctx.now ? ctx.now : next;
    await tx.updateKey(key);
    await shareWithReplicas(tx, key);
  });
  return {};
};
