import type { IdentityKind } from '../../store/types.js';
import type { OpContext } from '../context.js';
import type { IamHandler } from './handler.js';
import { checkPolicyDocument, pageOf, requireIdentity, requireInlinePolicy, truncate } from './identity.js';

/**
 * The inline policies of users and roles: one implementation for both kinds, as IAM's operations for the two
 * differ only in the name of the owner's member.
 */

interface PutInput { readonly PolicyName: string; readonly PolicyDocument: string }
interface NamedInput { readonly PolicyName: string }
interface ListInput { readonly Marker?: string | undefined; readonly MaxItems?: number | undefined }

async function put(kind: IdentityKind, owner: string, input: PutInput, ctx: OpContext): Promise<Record<string, never>> {
  checkPolicyDocument(input.PolicyDocument, 'identity');
  await ctx.transaction(async (tx) => {
    const identity = await requireIdentity(tx, ctx, kind, owner);
    await tx.putInlinePolicy({
      accountId: identity.accountId, kind, ownerName: identity.name, policyName: input.PolicyName, document: input.PolicyDocument,
    });
  });
  return {};
}

/** The document URL-encoded, as IAM returns policy documents (the SDKs and the CLI decode it). */
async function get(kind: IdentityKind, owner: string, input: NamedInput, ctx: OpContext) {
  const identity = await requireIdentity(ctx.deps.store, ctx, kind, owner);
  const policy = await requireInlinePolicy(ctx.deps.store, ctx, identity, input.PolicyName);
  return { name: identity.name, PolicyName: policy.policyName, PolicyDocument: encodeURIComponent(policy.document) };
}

async function list(kind: IdentityKind, owner: string, input: ListInput, ctx: OpContext) {
  const identity = await requireIdentity(ctx.deps.store, ctx, kind, owner);
  const found = await ctx.deps.store.listInlinePolicies(identity.accountId, kind, identity.name, pageOf(input.Marker, input.MaxItems));
  const { page, ...more } = truncate(found, input.MaxItems, (p) => p.policyName.toLowerCase());
  return { PolicyNames: page.map((p) => p.policyName), ...more };
}

async function remove(kind: IdentityKind, owner: string, input: NamedInput, ctx: OpContext): Promise<Record<string, never>> {
  await ctx.transaction(async (tx) => {
    const identity = await requireIdentity(tx, ctx, kind, owner);
    await requireInlinePolicy(tx, ctx, identity, input.PolicyName);
    await tx.deleteInlinePolicy(identity.accountId, kind, identity.name, input.PolicyName);
  });
  return {};
}

export const putUserPolicy: IamHandler<'PutUserPolicy'> = (input, ctx) => put('user', input.UserName, input, ctx);
export const getUserPolicy: IamHandler<'GetUserPolicy'> = async (input, ctx) => {
  const { name, ...policy } = await get('user', input.UserName, input, ctx);
  return { UserName: name, ...policy };
};
export const listUserPolicies: IamHandler<'ListUserPolicies'> = (input, ctx) => list('user', input.UserName, input, ctx);
export const deleteUserPolicy: IamHandler<'DeleteUserPolicy'> = (input, ctx) => remove('user', input.UserName, input, ctx);

export const putRolePolicy: IamHandler<'PutRolePolicy'> = (input, ctx) => put('role', input.RoleName, input, ctx);
export const getRolePolicy: IamHandler<'GetRolePolicy'> = async (input, ctx) => {
  const { name, ...policy } = await get('role', input.RoleName, input, ctx);
  return { RoleName: name, ...policy };
};
export const deleteRolePolicy: IamHandler<'DeleteRolePolicy'> = (input, ctx) => remove('role', input.RoleName, input, ctx);
