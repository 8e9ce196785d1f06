import type { StsHandler } from '../iam/handler.js';

/**
 * Who the credentials are: UserId is the account ID for the root, the user's ID (AIDA…) for a user, and the
 * role's ID and the session's name (AROA…:session) for an assumed role.
 */
export const getCallerIdentity: StsHandler<'GetCallerIdentity'> = async (_input, ctx) => {
  const { caller } = ctx;
  const store = ctx.deps.store;
  let userId = caller.accountId;
  const session = caller.principalArn.includes(':assumed-role/') ? await store.getSession(caller.accessKeyId) : undefined;
  if (session) {
    userId = `${session.roleId}:${session.sessionName}`;
  } else if (caller.identityArn !== undefined) {
    const name = /:user\/(?:.*\/)?([^/]+)$/.exec(caller.identityArn)?.[1];
    const user = name === undefined ? undefined : await store.getIdentity(caller.accountId, 'user', name);
    if (user) userId = user.id;
  }
  return { UserId: userId, Account: caller.accountId, Arn: caller.principalArn };
};
