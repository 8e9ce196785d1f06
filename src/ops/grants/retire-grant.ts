import { KmsError } from '../../model/errors.js';
import type { GrantRecord, KeyRecord, StoreOps } from '../../store/types.js';
import { grantPrincipalsOf, keyAccessVerdict } from '../authorize.js';
import type { Handler, OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKeyLocked, resolveKeyRef } from '../resolve.js';
import { grantOfToken } from './grant-token.js';

export function grantNotFound(grantId: string): KmsError {
  return new KmsError('NotFoundException', `Grant ID ${grantId} not found`);
}

/**
 * RetireGrant: the grant named by its token, or by key and grant ID. Allowed to its retiring principal, to its
 * grantee when it allows RetireGrant, and to principals of the key's account the key policy allows
 * kms:RetireGrant (with the default policy, all of them). AWS does not publish its text for a request naming neither.
 */
export const retireGrant: Handler<'RetireGrant'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    let key: KeyRecord;
    let grantId: string;
    if (input.GrantToken !== undefined) {
      const named = grantOfToken(input.GrantToken);
      grantId = named.grantId;
      key = await resolveKeyRef(ctx, 'RetireGrant', named.ref, { notFound: () => grantNotFound(grantId), tx });
    } else if (input.KeyId !== undefined && input.GrantId !== undefined) {
      grantId = input.GrantId;
      key = await resolveKeyLocked(ctx, tx, 'RetireGrant', input.KeyId, { aliases: false });
    } else {
      throw new KmsError('ValidationException', 'Either GrantToken, or both KeyId and GrantId, must be specified.');
    }
    const [grant] = await tx.listGrants(key, { grantId }, { limit: 1 });
    if (!grant) throw grantNotFound(grantId);
    if (ctx.deps.settings.enforceKeyPolicies) await requireMayRetire(ctx, tx, key, grant);
    stopIfDryRun(input.DryRun);
    await tx.deleteGrant(key, grantId);
  });
  return {};
};

async function requireMayRetire(ctx: OpContext, tx: StoreOps, key: KeyRecord, grant: GrantRecord): Promise<void> {
  const { caller } = ctx;
  const callerIs = grantPrincipalsOf(caller);
  const is = (principal: string | undefined) => principal !== undefined && callerIs.includes(principal);
  if (is(grant.retiringPrincipal)) return;
  if (is(grant.granteePrincipal) && grant.operations.includes('RetireGrant')) return;
  // "The kms:RetireGrant permission alone does not allow principals to retire a grant": it does for principals of
  // the account the grant was made in, not for another account the key policy shares the key with.
  if (caller.accountId === key.accountId && (await keyAccessVerdict(ctx, { key, action: 'kms:RetireGrant' }, tx)).allowed) return;
  throw new KmsError('AccessDeniedException',
    `User: ${caller.principalArn} is not authorized to perform: kms:RetireGrant on resource: ${grant.grantId} because it is neither the grant's retiring principal nor a grantee it allows to retire it`);
}
