import type { Handler } from '../context.js';
import { resolveKey } from '../resolve.js';
import { POLICY_NAME, checkPolicyName } from './key-policy-rules.js';

/** GetKeyPolicy: the policy text exactly as it was stored (CreateKey's default or PutKeyPolicy's). */
export const getKeyPolicy: Handler<'GetKeyPolicy'> = async (input, ctx) => {
  checkPolicyName(input.PolicyName);
  const key = await resolveKey(ctx, 'GetKeyPolicy', input.KeyId, { aliases: false });
  return { Policy: key.policy, PolicyName: POLICY_NAME };
};
