import type { Handler } from '../context.js';
import { resolveKeyLocked } from '../resolve.js';
import { checkAliasName } from './alias-rules.js';

/** DeleteAlias: resolving the alias name through the key resolver gives AWS's NotFoundException for an unknown alias. */
export const deleteAlias: Handler<'DeleteAlias'> = async (input, ctx) => {
  checkAliasName(input.AliasName);
  const { accountId, region } = ctx.caller;
  await ctx.transaction(async (tx) => {
    await resolveKeyLocked(ctx, tx, 'DeleteAlias', input.AliasName, { aliases: true });
    await tx.deleteAlias(accountId, region, input.AliasName);
  });
  return {};
};
