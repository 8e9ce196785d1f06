import type { IamOperationInputs, IamOperationName } from '../../model/iam.gen.js';
import { QueryError } from '../../model/query-errors.js';
import { decideAccess, denialMessage } from '../../policy/access.js';
import type { IdentityKind } from '../../store/types.js';
import { partitionOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import { callerConditions, callerIdentityPolicies, principalOf } from '../authorize.js';
import { userNameOrCaller } from './identity.js';

/** The user or role an IAM operation acts on: its name, or (a listing) every one of its kind. */
type Target = { readonly kind: IdentityKind; readonly name?: string | undefined; readonly path?: string | undefined };

const user = (name: string | undefined, path?: string): Target => ({ kind: 'user', name, path });
const role = (name: string | undefined, path?: string): Target => ({ kind: 'role', name, path });

/** What each operation acts on, from its input (the access key operations: the named user, else the caller's). */
const TARGETS: { readonly [Op in IamOperationName]: (input: IamOperationInputs[Op], ctx: OpContext) => Target } = {
  CreateUser: (i) => user(i.UserName, i.Path ?? '/'), GetUser: (i, ctx) => user(userNameOrCaller(ctx, i.UserName)),
  ListUsers: () => user(undefined), DeleteUser: (i) => user(i.UserName), ListGroupsForUser: (i) => user(i.UserName),
  CreateAccessKey: (i, ctx) => user(userNameOrCaller(ctx, i.UserName)),
  ListAccessKeys: (i, ctx) => user(userNameOrCaller(ctx, i.UserName)),
  UpdateAccessKey: (i, ctx) => user(userNameOrCaller(ctx, i.UserName)),
  DeleteAccessKey: (i, ctx) => user(userNameOrCaller(ctx, i.UserName)),
  PutUserPolicy: (i) => user(i.UserName), GetUserPolicy: (i) => user(i.UserName), ListUserPolicies: (i) => user(i.UserName),
  DeleteUserPolicy: (i) => user(i.UserName),
  CreateRole: (i) => role(i.RoleName, i.Path ?? '/'), GetRole: (i) => role(i.RoleName), ListRoles: () => role(undefined),
  DeleteRole: (i) => role(i.RoleName), PutRolePolicy: (i) => role(i.RoleName), GetRolePolicy: (i) => role(i.RoleName),
  DeleteRolePolicy: (i) => role(i.RoleName),
};

/** The target's ARN: with its stored path when it exists (IAM authorizes before saying whether it does). */
async function resourceArn(ctx: OpContext, target: Target): Promise<string> {
  const prefix = `arn:${partitionOf(ctx.caller.region)}:iam::${ctx.caller.accountId}:${target.kind}`;
  if (target.name === undefined) return `${prefix}/*`;
  const path = target.path ?? (await ctx.deps.store.getIdentity(ctx.caller.accountId, target.kind, target.name))?.path ?? '/';
  return `${prefix}${path}${target.name}`;
}

/**
 * Whether the caller may call an IAM operation, as IAM decides for its own API: the account root may do
 * anything; a user or role session needs an identity policy allowing `iam:<Operation>` on the user or role it acts
 * on, and no explicit Deny (policy/access.ts, with no resource policy). Where key policies are not enforced (dev
 * without --enforce-policies), nor is this.
 */
export async function authorizeIam<Op extends IamOperationName>(operation: Op, input: IamOperationInputs[Op], ctx: OpContext): Promise<void> {
  const { caller } = ctx;
  if (!ctx.deps.settings.enforceKeyPolicies || caller.identityArn === undefined) return;
  const action = `iam:${operation}`;
  const resource = await resourceArn(ctx, TARGETS[operation](input, ctx));
  const identityPolicies = await callerIdentityPolicies(ctx);
  const verdict = decideAccess({
    principal: principalOf(caller),
    action, resource, conditions: callerConditions(ctx),
    resourceAccountId: caller.accountId, resourcePolicy: undefined, identityPolicies,
  });
  if (!verdict.allowed) {
    throw new QueryError('AccessDenied', denialMessage(caller.principalArn, action, `resource: ${resource}`, verdict.reason));
  }
}
