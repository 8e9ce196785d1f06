import { KmsError } from '../../model/errors.js';
import { StoreConflictError } from '../../store/types.js';
import { aliasArn } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';
import { TARGET_KEY, checkAliasName, checkAliasQuota } from './alias-rules.js';

/** CreateAlias: one alias names one key of the caller's account and Region; the store's uniqueness decides races. */
export const createAlias: Handler<'CreateAlias'> = async (input, ctx) => {
  checkAliasName(input.AliasName);
  const { accountId, region } = ctx.caller;
  await ctx.transaction(async (tx) => {
    const key = await resolveKeyLocked(ctx, tx, 'CreateAlias', input.TargetKeyId, TARGET_KEY);
    await checkAliasQuota(ctx, tx, key);
    try {
      await tx.insertAlias({
        accountId, region, aliasName: input.AliasName, targetKeyId: key.keyId, createdAt: ctx.now, updatedAt: ctx.now,
      });
    } catch (e) {
      if (!(e instanceof StoreConflictError)) throw e;
      throw new KmsError('AlreadyExistsException',
        `An alias with the name ${aliasArn(region, accountId, input.AliasName)} already exists`);
    }
  });
  return {};
};
