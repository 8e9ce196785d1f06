import { KmsError } from '../../model/errors.js';
import { INVALID_PRINCIPALS, defaultKeyPolicy, parsePolicy, type PolicyDocument } from '../../policy/document.js';
import { partitionOf } from '../../util/arn.js';
import { allowsPolicyChange, type KeyFacts } from '../authorize.js';
import type { IdentityReader, OpContext } from '../context.js';

/** A key has one policy, named `default`; the model's PolicyName defaults to it. */
export const POLICY_NAME = 'default';

export function checkPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== POLICY_NAME) throw new KmsError('NotFoundException', 'No such policy exists');
}

/**
 * The checks a new key policy passes in CreateKey and PutKeyPolicy: size and form (policy/document.ts), the
 * principals it names, then the lockout safety check: unless bypassed, the policy must let the caller change
 * the policy again.
 */
export async function checkNewKeyPolicy(ctx: OpContext, policy: string, bypassLockoutCheck: boolean | undefined,
  key: KeyFacts, reader?: IdentityReader): Promise<void> {
  const doc = parsePolicy(policy);
  await checkPrincipalsExist(ctx, doc, reader);
  if (!bypassLockoutCheck && !allowsPolicyChange(ctx, doc, key)) {
    throw new KmsError('MalformedPolicyDocumentException',
      'The new key policy will not allow you to update the key policy in the future.');
  }
}

/**
 * A new key's policy (CreateKey, ReplicateKey): the default of the key's partition naming its account, or the
 * one given once it passes the checks, evaluated as for the key being made. `reader`: the transaction the request
 * holds, if any (IdentityReader).
 */
export async function newKeyPolicy(ctx: OpContext, input: { readonly Policy?: string | undefined;
  readonly BypassPolicyLockoutSafetyCheck?: boolean | undefined; }, key: KeyFacts, reader?: IdentityReader): Promise<string> {
  if (input.Policy === undefined) return defaultKeyPolicy(partitionOf(key.region), key.accountId);
  await checkNewKeyPolicy(ctx, input.Policy, input.BypassPolicyLockoutSafetyCheck, key, reader);
  return input.Policy;
}

/**
 * AWS refuses a key policy naming an IAM user or role that does not exist (it keeps principals by their unique
 * IDs, so it must find them). Checked where Trent knows who exists: where policies are enforced (serve, and
 * dev's switch); dev otherwise has no identities, and accepts any principal as it accepts any caller.
 */
async function checkPrincipalsExist(ctx: OpContext, doc: PolicyDocument, reader?: IdentityReader): Promise<void> {
  if (!ctx.deps.settings.enforceKeyPolicies) return;
  const named = new Set<string>();
  for (const s of doc.statements) {
    const spec = s.principals?.spec;
    if (spec && spec !== '*') for (const p of spec.AWS) if (p.startsWith('arn:')) named.add(p);
  }
  const found = await Promise.all([...named].map((p) => ctx.deps.identities.exists(p, reader)));
  if (found.includes(false)) throw new KmsError('MalformedPolicyDocumentException', INVALID_PRINCIPALS);
}
