import { QueryError } from '../../model/query-errors.js';
import type { Role } from '../../model/iam.gen.js';
import { StoreConflictError, type IdentityRecord } from '../../store/types.js';
import { newIamUniqueId } from '../../util/ids.js';
import type { OpContext } from '../context.js';
import type { IamHandler } from './handler.js';
import { checkPolicyDocument, identityArn, pageOf, requireIdentity, truncate } from './identity.js';

/** A role's longest session unless CreateRole says otherwise: one hour, as IAM's default. */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

/** The trust policy is URL-encoded, as IAM returns policy documents. */
function roleOf(ctx: OpContext, r: IdentityRecord): Role {
  return {
    Path: r.path, RoleName: r.name, RoleId: r.id, Arn: identityArn(ctx, r), CreateDate: r.createdAt,
    AssumeRolePolicyDocument: r.trustPolicy === undefined ? undefined : encodeURIComponent(r.trustPolicy),
    Description: r.description, MaxSessionDuration: r.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS,
  };
}

export function maxSessionSeconds(r: IdentityRecord): number {
  return r.maxSessionDuration ?? DEFAULT_MAX_SESSION_SECONDS;
}

export const createRole: IamHandler<'CreateRole'> = async (input, ctx) => {
  checkPolicyDocument(input.AssumeRolePolicyDocument, 'trust');
  const role: IdentityRecord = {
    accountId: ctx.caller.accountId, kind: 'role', name: input.RoleName, path: input.Path ?? '/', id: newIamUniqueId('AROA'),
    createdAt: ctx.now, trustPolicy: input.AssumeRolePolicyDocument, description: input.Description,
    maxSessionDuration: input.MaxSessionDuration,
  };
  await ctx.transaction(async (tx) => {
    try {
      await tx.insertIdentity(role);
    } catch (e) {
      if (e instanceof StoreConflictError) throw new QueryError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
      throw e;
    }
  });
  return { Role: roleOf(ctx, role) };
};

export const getRole: IamHandler<'GetRole'> = async (input, ctx) =>
  ({ Role: roleOf(ctx, await requireIdentity(ctx.deps.store, ctx, 'role', input.RoleName)) });

export const listRoles: IamHandler<'ListRoles'> = async (input, ctx) => {
  const found = await ctx.deps.store.listIdentities(ctx.caller.accountId, 'role', input.PathPrefix ?? '/', pageOf(input.Marker, input.MaxItems));
  const { page, ...more } = truncate(found, input.MaxItems, (r) => r.name.toLowerCase());
  return { Roles: page.map((r) => roleOf(ctx, r)), ...more };
};

/** Sessions already issued keep their credentials until they expire, as in AWS; the role's policies are gone with it. */
export const deleteRole: IamHandler<'DeleteRole'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const role = await requireIdentity(tx, ctx, 'role', input.RoleName);
    if ((await tx.listInlinePolicies(role.accountId, 'role', role.name, { limit: 1 })).length > 0) {
      throw new QueryError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
    }
    await tx.deleteIdentity(role.accountId, 'role', role.name);
  });
  return {};
};
