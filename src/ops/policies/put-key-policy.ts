import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkNewKeyPolicy, checkPolicyName } from './key-policy-rules.js';

/** PutKeyPolicy: the policy is checked as CreateKey checks it and stored verbatim (evaluation is not applied yet). */
export const putKeyPolicy: Handler<'PutKeyPolicy'> = async (input, ctx) => {
  checkPolicyName(input.PolicyName);
  checkNewKeyPolicy(ctx, input.Policy, input.BypassPolicyLockoutSafetyCheck);
  await ctx.deps.store.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'PutKeyPolicy', input.KeyId, { aliases: false });
    key.policy = input.Policy;
    await tx.updateKey(key);
  });
  return {};
};
