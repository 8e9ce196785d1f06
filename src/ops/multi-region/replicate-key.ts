import { KmsError } from '../../model/errors.js';
import type { KeyRecord } from '../../store/types.js';
import type { Handler, OpContext } from '../context.js';
import { keyMetadata } from '../metadata.js';
import { newKeyPolicy } from '../policies/key-policy-rules.js';
import { checkKeyQuota } from '../quotas/key-quota.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkTags, tagRecords } from '../tags.js';
import { checkSamePartition, copyShared, requirePrimary } from './related-keys.js';

/**
 * ReplicateKey: a replica of a multi-Region primary in another Region of the same partition, in the one
 * transaction that locks the primary. The replica shares the key ID, the material series and the primary's
 * rotation settings; its policy (the default unless given), description, tags, aliases and grants are its
 * own. It starts Creating and the scheduler makes it Enabled on its next pass (ops/lifecycle.ts), as AWS's
 * replica is Creating for a few seconds. Checks, in order: the primary (existence, authorization, key state,
 * primary), the Region, the policy, the tags, the replica Region's key quota.
 */
export const replicateKey: Handler<'ReplicateKey'> = async (input, ctx) => {
  const region = input.ReplicaRegion;
  const tags = input.Tags ?? [];
  chargeReplicaRegion(ctx, region);
  const { replica, related } = await ctx.transaction(async (tx) => {
    const primary = await resolveKeyLocked(ctx, tx, 'ReplicateKey', input.KeyId, { aliases: false });
    requirePrimary(primary);
    checkSamePartition(primary, region, 'ReplicaRegion');
    if (region === primary.region) {
      throw new KmsError('ValidationException', `ReplicaRegion must differ from the primary key's Region ${primary.region}.`);
    }
    const existing = await tx.lockRelatedKeys(primary.accountId, primary.keyId);
    if (existing.some((k) => k.region === region)) {
      throw new KmsError('AlreadyExistsException', `The multi-Region key ${primary.keyId} already has a replica in ${region}.`);
    }
    const made = replicaOf(ctx, primary, region, input.Description ?? '', await newKeyPolicy(ctx, input, { ...primary, region }, tx));
    checkTags(tags);
    checkKeyQuota(ctx, await tx.lockKeyCount(made.accountId, region));
    ctx.keysReached.push({ accountId: made.accountId, region, keyId: made.keyId });
    await tx.insertKey(made);
    if (tags.length) await tx.putTags(made, tagRecords(tags));
    return { replica: made, related: [...existing, made].sort((a, b) => a.region.localeCompare(b.region)) };
  });
  return {
    ReplicaKeyMetadata: keyMetadata(replica, related),
    ReplicaPolicy: replica.policy,
    ReplicaTags: tags.length ? tags : undefined,
  };
};

/**
 * AWS counts a ReplicateKey as one ReplicateKey request in the primary's Region (charged at dispatch, as every
 * request) and two CreateKey requests in the replica's, one of them a dry run (its request quotas page).
 */
function chargeReplicaRegion(ctx: OpContext, region: string): void {
  if (!ctx.deps.rates.enabled) return;
  const caller = { ...ctx.caller, region };
  for (let i = 0; i < 2; i++) ctx.deps.rates.charge(caller, 'CreateKey', ctx.now.getTime());
}

function replicaOf(ctx: OpContext, primary: KeyRecord, region: string, description: string, policy: string): KeyRecord {
  const replica: KeyRecord = {
    accountId: primary.accountId,
    region,
    keyId: primary.keyId,
    createdAt: ctx.now,
    description,
    keySpec: primary.keySpec,
    keyUsage: primary.keyUsage,
    origin: primary.origin,
    keyState: 'Creating',
    multiRegion: true,
    multiRegionKeyType: 'REPLICA',
    primaryRegion: primary.region,
    policy,
  };
  copyShared(primary, replica);
  // Imported material is imported into each Region (EXISTING_KEY_MATERIAL): a replica starts with none current.
  if (primary.origin === 'EXTERNAL') replica.currentMaterialId = undefined;
  return replica;
}

