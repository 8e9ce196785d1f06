import type { IamOperationName } from '../../model/iam.gen.js';
import type { StsOperationName } from '../../model/sts.gen.js';
import { assumeRole } from '../sts/assume-role.js';
import { getCallerIdentity } from '../sts/get-caller-identity.js';
import { createAccessKey, deleteAccessKey, listAccessKeys, updateAccessKey } from './access-keys.js';
import type { IamHandler, StsHandler } from './handler.js';
import {
  deleteRolePolicy, deleteUserPolicy, getRolePolicy, getUserPolicy, listUserPolicies, putRolePolicy, putUserPolicy,
} from './inline-policies.js';
import { createRole, deleteRole, getRole, listRoles } from './roles.js';
import { createUser, deleteUser, getUser, listGroupsForUser, listUsers } from './users.js';

/** One handler for every IAM operation Trent answers (the generated model's): a missing one is a compile error. */
export const IAM_HANDLERS: { readonly [Op in IamOperationName]: IamHandler<Op> } = {
  CreateUser: createUser, GetUser: getUser, ListUsers: listUsers, DeleteUser: deleteUser, ListGroupsForUser: listGroupsForUser,
  CreateAccessKey: createAccessKey, ListAccessKeys: listAccessKeys, UpdateAccessKey: updateAccessKey, DeleteAccessKey: deleteAccessKey,
  PutUserPolicy: putUserPolicy, GetUserPolicy: getUserPolicy, ListUserPolicies: listUserPolicies, DeleteUserPolicy: deleteUserPolicy,
  CreateRole: createRole, GetRole: getRole, DeleteRole: deleteRole, ListRoles: listRoles,
  PutRolePolicy: putRolePolicy, GetRolePolicy: getRolePolicy, DeleteRolePolicy: deleteRolePolicy,
};

export const STS_HANDLERS: { readonly [Op in StsOperationName]: StsHandler<Op> } = {
  AssumeRole: assumeRole, GetCallerIdentity: getCallerIdentity,
};
