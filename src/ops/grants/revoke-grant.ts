import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKeyLocked } from '../resolve.js';
import { grantNotFound } from './retire-grant.js';

/** RevokeGrant: by key and grant ID, for whoever the key policy allows kms:RevokeGrant. */
export const revokeGrant: Handler<'RevokeGrant'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'RevokeGrant', input.KeyId, { aliases: false });
    const [grant] = await tx.listGrants(key, { grantId: input.GrantId }, { limit: 1 });
    if (!grant) throw grantNotFound(input.GrantId);
    stopIfDryRun(input.DryRun);
    await tx.deleteGrant(key, input.GrantId);
  });
  return {};
};
