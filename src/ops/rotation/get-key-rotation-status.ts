import type { Handler } from '../context.js';
import { resolveKey } from '../resolve.js';
import { automaticRotationEnabled, requireRotatable } from './rotation.js';
import { arnOf } from '../../util/arn.js';

/**
 * GetKeyRotationStatus. A key pending deletion reports rotation off (AWS: "its key rotation status is false"),
 * though its schedule is kept for a cancelled deletion. OnDemandRotationStartDate is never present: Trent
 * rotates on demand synchronously, so no rotation is ever in progress when this answers.
 */
export const getKeyRotationStatus: Handler<'GetKeyRotationStatus'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'GetKeyRotationStatus', input.KeyId, { aliases: false });
  requireRotatable(key);
  const pendingDeletion = key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion';
  if (!automaticRotationEnabled(key) || pendingDeletion) return { KeyRotationEnabled: false, KeyId: arnOf(key) };
  return {
    KeyRotationEnabled: true,
    KeyId: arnOf(key),
    RotationPeriodInDays: key.rotationPeriodDays,
    NextRotationDate: key.nextRotationDate,
  };
};
