import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { resolveKeyLocked, resolveKeyRef } from '../resolve.js';
import { TARGET_KEY, aliasNotFound, checkAliasName, checkAliasQuota, keyType } from './alias-rules.js';

/**
 * UpdateAlias: points an existing alias at another key of the same type and usage. The key-state table applies
 * to the new key only (footnote [10]: the current key may be pending deletion).
 */
export const updateAlias: Handler<'UpdateAlias'> = async (input, ctx) => {
  checkAliasName(input.AliasName);
  const { accountId, region } = ctx.caller;
  await ctx.transaction(async (tx) => {
    const alias = await tx.getAlias(accountId, region, input.AliasName);
    if (!alias) throw aliasNotFound(ctx, input.AliasName);
    const target = await resolveKeyLocked(ctx, tx, 'UpdateAlias', input.TargetKeyId, TARGET_KEY);
    if (target.keyId === alias.targetKeyId) return;
    // Deleting a key deletes its aliases in the same transaction: a key gone since the alias was read means
    // a concurrent deletion took the alias with it.
    const current = await resolveKeyRef(ctx, { op: 'UpdateAlias', anyState: true }, { accountId, region, keyId: alias.targetKeyId },
      { notFound: () => aliasNotFound(ctx, input.AliasName), tx });
    if (keyType(current) !== keyType(target) || current.keyUsage !== target.keyUsage) {
      throw new KmsError('ValidationException',
        `${arnOf(target)} is not the same key type and key usage as the KMS key that `
        + `${input.AliasName} refers to (${arnOf(current)}).`);
    }
    await checkAliasQuota(ctx, tx, target);
    alias.targetKeyId = target.keyId;
    alias.updatedAt = ctx.now;
    await tx.updateAlias(alias);
  });
  return {};
};
