import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkNewKeyPolicy, checkPolicyName } from './key-policy-rules.js';

/**
 * PutKeyPolicy: the caller must be allowed kms:PutKeyPolicy by the current policy (the resolver) before the new
 * one is checked as CreateKey checks it; it is stored verbatim.
 */
export const putKeyPolicy: Handler<'PutKeyPolicy'> = async (input, ctx) => {
  checkPolicyName(input.PolicyName);
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'PutKeyPolicy', input.KeyId, { aliases: false });
    await checkNewKeyPolicy(ctx, input.Policy, input.BypassPolicyLockoutSafetyCheck, key, tx);
    key.policy = input.Policy;
    await tx.updateKey(key);
  });
  return {};
};
