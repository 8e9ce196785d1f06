import { KmsError } from '../../model/errors.js';
import { parsePolicy } from '../../policy/document.js';
import { allowsPolicyChange, type KeyFacts } from '../authorize.js';
import type { OpContext } from '../context.js';

/** A key has one policy, named `default`; the model's PolicyName defaults to it. */
export const POLICY_NAME = 'default';

export function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== POLICY_NAME) throw new KmsError('NotFoundException', 'No such policy exists');
}

/**
 * The checks a new key policy passes in CreateKey and PutKeyPolicy: size and form (policy/document.ts), then
 * the lockout safety check: unless bypassed, the policy must let the caller change the policy again.
 */
export function checkNewKeyPolicy(ctx: OpContext, policy: string, bypassLockoutCheck: boolean | undefined, key: KeyFacts): void {
  const doc = parsePolicy(policy);
  if (!bypassLockoutCheck && !allowsPolicyChange(ctx, doc, key)) {
    throw new KmsError('MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.');
  }
}
