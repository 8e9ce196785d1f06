import { KmsError } from '../../model/errors.js';
import { arnOf, keyArn } from '../../util/arn.js';
import { authorize } from '../authorize.js';
import type { Handler } from '../context.js';
import { checkKeyState } from '../key-state.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkSamePartition, requirePrimary } from './related-keys.js';

/**
 * UpdatePrimaryRegion: the replica in PrimaryRegion becomes the primary and the primary a replica, for every
 * Region of the key in one transaction (each record names the new primary Region), so DescribeKey in any
 * Region never shows two primaries or none. Both keys must be admitted as the operation's key-state row says
 * (both Enabled, as AWS documents), and the caller needs kms:UpdatePrimaryRegion on both. Both are then
 * Updating until the scheduler's next pass restores Enabled (ops/lifecycle.ts), as AWS's transient state.
 */
export const updatePrimaryRegion: Handler<'UpdatePrimaryRegion'> = async (input, ctx) => {
  const region = input.PrimaryRegion;
  // AWS counts the request in both Regions: the current primary's at dispatch, the new primary's here.
  if (ctx.deps.rates.enabled) ctx.deps.rates.charge({ ...ctx.caller, region }, 'UpdatePrimaryRegion', ctx.now.getTime());
  await ctx.transaction(async (tx) => {
    const primary = await resolveKeyLocked(ctx, tx, 'UpdatePrimaryRegion', input.KeyId, { aliases: false });
    requirePrimary(primary);
    checkSamePartition(primary, region, 'PrimaryRegion');
    if (region === primary.region) {
      throw new KmsError('ValidationException', `PrimaryRegion ${region} is already the primary Region of ${arnOf(primary)}.`);
    }
    const related = await tx.lockRelatedKeys(primary.accountId, primary.keyId);
    const next = related.find((k) => k.region === region);
    if (!next) throw new KmsError('NotFoundException', `Key '${keyArn(region, primary.accountId, primary.keyId)}' does not exist`);
    ctx.keysReached.push({ accountId: next.accountId, region, keyId: next.keyId });
    if (ctx.deps.settings.enforceKeyPolicies) await authorize(ctx, { key: next, action: 'kms:UpdatePrimaryRegion' }, tx);
    checkKeyState('UpdatePrimaryRegion', next.keyState, () => arnOf(next), next.origin);
    for (const key of related) {
      key.primaryRegion = region;
      key.multiRegionKeyType = key.region === region ? 'PRIMARY' : 'REPLICA';
      if (key.region === region || key.region === primary.region) key.keyState = 'Updating';
      await tx.updateKey(key);
    }
  });
  return {};
};
