import { KmsError } from '../../model/errors.js';
import type { OpContext } from '../context.js';

/**
 * The keys-per-region quota, for a key about to be made (CreateKey, ReplicateKey's replica): every key of the
 * account in the Region counts, whatever its state, as in AWS. `count` is the Region's count, read locked in
 * the transaction that inserts the key (StoreOps.lockKeyCount), or unlocked for an early refusal.
 */
export function checkKeyQuota(ctx: OpContext, count: number): void {
  const quota = ctx.deps.quotas.keysPerRegion;
  if (count >= quota) {
    throw new KmsError('LimitExceededException', `Key quota for this account in this region is ${quota} but the current usage is ${count}.`);
  }
}
