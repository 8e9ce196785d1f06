import type { Handler } from '../context.js';
import { resolveKey } from '../resolve.js';
import { automaticRotationEnabled, requireRotatingOrigin } from './rotation.js';
import { arnOf } from '../../util/arn.js';

/**
 * GetKeyRotationStatus. A key pending deletion reports rotation off (AWS: "its key rotation status is false"),
 * though its schedule is kept for a cancelled deletion. OnDemandRotationStartDate is never present: Trent
 * rotates on demand synchronously, so no rotation is ever in progress when this answers. Asymmetric and HMAC
 * keys, which cannot rotate, answer that rotation is off, as AWS does today (it once refused them; Terraform's
 * provider reads this for every key it manages).
 */
export const getKeyRotationStatus: Handler<'GetKeyRotationStatus'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'GetKeyRotationStatus', input.KeyId, { aliases: false });
  requireRotatingOrigin(key);
  const pendingDeletion = key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion';
  if (!automaticRotationEnabled(key) || pendingDeletion) return { KeyRotationEnabled: false, KeyId: arnOf(key) };
  return {
    KeyRotationEnabled: true,
    KeyId: arnOf(key),
    RotationPeriodInDays: key.rotationPeriodDays,
    NextRotationDate: key.nextRotationDate,
  };
};
