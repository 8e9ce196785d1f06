import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { KeyRecord, StoreOps } from '../../store/types.js';
import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_WINDOW_DAYS = 30;
const MIN_WINDOW_DAYS = 7;
const MAX_WINDOW_DAYS = 30;

/**
 * ScheduleKeyDeletion: the key becomes PendingDeletion until its deletion date, when the scheduler
 * (ops/lifecycle.ts) deletes it with its material, aliases and tags. The model allows 1–365 days; AWS enforces
 * 7–30, checked before the key is looked up. A multi-Region primary with replicas waits in
 * PendingReplicaDeletion, with no deletion date, until the scheduler has deleted the last of them; its waiting
 * period starts then (ops/lifecycle.ts).
 */
export const scheduleKeyDeletion: Handler<'ScheduleKeyDeletion'> = async (input, ctx) => {
  const days = input.PendingWindowInDays ?? DEFAULT_WINDOW_DAYS;
  if (days < MIN_WINDOW_DAYS || days > MAX_WINDOW_DAYS) {
    throw new KmsError('ValidationException',
      `PendingWindowInDays should be between ${MIN_WINDOW_DAYS} and ${MAX_WINDOW_DAYS}, but it is ${days}`);
  }
  const key = await ctx.transaction(async (tx) => {
    const k = await resolveKeyLocked(ctx, tx, 'ScheduleKeyDeletion', input.KeyId, { aliases: false });
    k.pendingWindowDays = days;
    if (await hasReplicas(tx, k)) {
      k.keyState = 'PendingReplicaDeletion';
      k.deletionDate = undefined;
    } else {
      k.keyState = 'PendingDeletion';
      k.deletionDate = new Date(ctx.now.getTime() + days * DAY_MS);
    }
    await tx.updateKey(k);
    return k;
  });
  return {
    KeyId: arnOf(key),
    DeletionDate: key.deletionDate,
    KeyState: key.keyState,
    PendingWindowInDays: days,
  };
};

/** Whether `key` is a multi-Region primary with replicas; read locked, so no replica is made or deleted meanwhile. */
async function hasReplicas(tx: StoreOps, key: KeyRecord): Promise<boolean> {
  return key.multiRegionKeyType === 'PRIMARY' && (await tx.lockRelatedKeys(key.accountId, key.keyId)).length > 1;
}
