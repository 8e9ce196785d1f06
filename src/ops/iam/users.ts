import { QueryError } from '../../model/query-errors.js';
import type { User } from '../../model/iam.gen.js';
import { StoreConflictError, type IdentityRecord } from '../../store/types.js';
import { accountRootArn, partitionOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import type { IamHandler } from './handler.js';
import { identityArn, pageOf, requireIdentity, truncate, userNameOrCaller } from './identity.js';
import { newUser } from './records.js';

function userOf(ctx: OpContext, r: IdentityRecord): User {
  return { Path: r.path, UserName: r.name, UserId: r.id, Arn: identityArn(ctx, r), CreateDate: r.createdAt };
}

export const createUser: IamHandler<'CreateUser'> = async (input, ctx) => {
  const user = newUser(ctx.caller.accountId, input.UserName, input.Path ?? '/', ctx.now);
  await ctx.transaction(async (tx) => {
    try {
      await tx.insertIdentity(user);
    } catch (e) {
      if (e instanceof StoreConflictError) throw new QueryError('EntityAlreadyExists', `User with name ${input.UserName} already exists.`);
      throw e;
    }
  });
  return { User: userOf(ctx, user) };
};

/** Without UserName, the caller: the account root answers as IAM answers for it (its account ID and root ARN, no name). */
export const getUser: IamHandler<'GetUser'> = async (input, ctx) => {
  const name = userNameOrCaller(ctx, input.UserName);
  if (name === undefined) {
    const { accountId } = ctx.caller;
    // IAM's answer for the root has no Path nor UserName, though the model marks them required.
    return { User: { UserId: accountId, Arn: accountRootArn(partitionOf(ctx.caller.region), accountId), CreateDate: new Date(0) } as User };
  }
  return { User: userOf(ctx, await requireIdentity(ctx.deps.store, ctx, 'user', name)) };
};

export const listUsers: IamHandler<'ListUsers'> = async (input, ctx) => {
  const found = await ctx.deps.store.listIdentities(ctx.caller.accountId, 'user', input.PathPrefix ?? '/', pageOf(input.Marker, input.MaxItems));
  const { page, ...more } = truncate(found, input.MaxItems, (u) => u.name.toLowerCase());
  return { Users: page.map((u) => userOf(ctx, u)), ...more };
};

/** IAM refuses to delete a user that still has access keys or policies, naming what must go first. */
export const deleteUser: IamHandler<'DeleteUser'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const user = await requireIdentity(tx, ctx, 'user', input.UserName);
    if ((await tx.listAccessKeysOf(user.accountId, user.name)).length > 0) {
      throw new QueryError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    }
    if ((await tx.listInlinePolicies(user.accountId, 'user', user.name, { limit: 1 })).length > 0) {
      throw new QueryError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    }
    await tx.deleteIdentity(user.accountId, 'user', user.name);
  });
  return {};
};

/** Trent has no IAM groups (README: what is left out), so every user is in none. */
export const listGroupsForUser: IamHandler<'ListGroupsForUser'> = async (input, ctx) => {
  await requireIdentity(ctx.deps.store, ctx, 'user', input.UserName);
  return { Groups: [], IsTruncated: false };
};
