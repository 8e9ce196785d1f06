import { isDeepStrictEqual } from 'node:util';
import { KmsError } from '../../model/errors.js';
import { grantWithin, type GrantTerms } from '../../policy/grants.js';
import type { GrantRecord, KeyRecord, StoreOps } from '../../store/types.js';
import { accountRootArn, arnOf, partitionOf } from '../../util/arn.js';
import { newGrantId } from '../../util/ids.js';
import { grantsAllowing, keyAccessVerdict } from '../authorize.js';
import type { Handler, OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKeyLocked } from '../resolve.js';
import { constraintsOf } from './grant-entry.js';
import { requireApplicableConstraints, requireGrantableOperations } from './grant-rules.js';
import { newGrantToken } from './grant-token.js';

/**
 * CreateGrant. The key is locked for the request, so the grant quotas (ops/quotas/settings.ts) are counted
 * exactly however many requests race. With a Name, a request identical to an existing grant's answers that grant's ID (and a new token)
 * instead of making another, as AWS does; a different request under the same name makes a new grant.
 */
export const createGrant: Handler<'CreateGrant'> = async (input, ctx) => {
  const operations = [...new Set(input.Operations)];
  const terms: GrantTerms = { operations, constraints: constraintsOf(input.Constraints) };
  const { grantsPerKey, grantsPerGranteePerKey } = ctx.deps.quotas;
  return ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'CreateGrant', input.KeyId, { aliases: false });
    requireGrantableOperations(key, input.Operations);
    requireApplicableConstraints(key, terms);
    await requireWithinGrantingGrant(ctx, tx, key, terms);
    const identical = (g: GrantRecord) => g.name === input.Name && g.retiringPrincipal === input.RetiringPrincipal
      && isDeepStrictEqual([...g.operations].sort(), [...terms.operations].sort()) && isDeepStrictEqual(g.constraints, terms.constraints);
    const existing = input.Name === undefined ? undefined
      : (await tx.listGrants(key, { granteePrincipals: [input.GranteePrincipal] }, { limit: grantsPerGranteePerKey + 1 })).find(identical);
    if (!existing) {
      if (await tx.countGrants(key) >= grantsPerKey) {
        throw new KmsError('LimitExceededException', `The grants quota (${grantsPerKey}) for ${arnOf(key)} has been reached.`);
      }
      if (await tx.countGrants(key, input.GranteePrincipal) >= grantsPerGranteePerKey) {
        throw new KmsError('LimitExceededException',
          `The quota of grants for one grantee principal (${grantsPerGranteePerKey}) on ${arnOf(key)} has been reached for ${input.GranteePrincipal}.`);
      }
    }
    stopIfDryRun(input.DryRun);
    const grantId = existing?.grantId ?? newGrantId();
    if (!existing) {
      await tx.insertGrant({
        accountId: key.accountId, region: key.region, keyId: key.keyId, grantId, name: input.Name, createdAt: ctx.now,
        granteePrincipal: input.GranteePrincipal, retiringPrincipal: input.RetiringPrincipal,
        issuingAccount: accountRootArn(partitionOf(key.region), key.accountId), operations, constraints: terms.constraints,
      });
    }
    return { GrantId: grantId, GrantToken: newGrantToken(key, grantId) };
  });
};

/**
 * A grantee whose permission to create grants comes from a grant (not the key policy) may give no more than
 * that grant has: its operations at most, under constraints at least as strict.
 */
async function requireWithinGrantingGrant(ctx: OpContext, tx: StoreOps, key: KeyRecord, terms: GrantTerms): Promise<void> {
  if (!ctx.deps.settings.enforceKeyPolicies) return;
  const access = { key, action: 'kms:CreateGrant' };
  if ((await keyAccessVerdict(ctx, access, tx)).allowed) return;
  const granting = await grantsAllowing(ctx, tx, key, access.action);
  if (!granting.some((parent) => grantWithin(terms, parent))) {
    throw new KmsError('AccessDeniedException',
      `User: ${ctx.caller.principalArn} is not authorized to perform: kms:CreateGrant on resource: ${arnOf(key)} with these operations or constraints: the grant that allows kms:CreateGrant does not`);
  }
}
