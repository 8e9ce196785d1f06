import { randomBytes } from 'node:crypto';
import { wrapIdentity } from '../../keys/root-key.js';
import { QueryError } from '../../model/query-errors.js';
import { decideAccess } from '../../policy/access.js';
import type { ConditionLookup } from '../../policy/conditions.js';
import { parsePolicy, type PolicyDocument } from '../../policy/document.js';
import type { AccessRequest } from '../../policy/evaluate.js';
import type { IdentityRecord } from '../../store/types.js';
import { parseArn } from '../../util/arn.js';
import { newAccessKeyId } from '../../util/ids.js';
import type { OpContext } from '../context.js';
import type { StsHandler } from '../iam/handler.js';
import { callerConditions, callerIdentityPolicies, principalOf } from '../authorize.js';
import { maxSessionSeconds } from '../iam/roles.js';
import { sessionTokenHash } from './session-token.js';

/** A session lasts an hour unless DurationSeconds says otherwise; a session assuming a role (role chaining) at most that. */
const DEFAULT_DURATION_SECONDS = 3600;
const ROLE_CHAINING_MAX_SECONDS = 3600;

function notAuthorized(ctx: OpContext, roleArn: string): QueryError {
  return new QueryError('AccessDenied', `User: ${ctx.caller.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
}

/** The role a RoleArn names (arn:aws:iam::ACCT:role/path/name), in its own account: roles can be assumed across accounts. */
async function roleNamed(ctx: OpContext, roleArn: string): Promise<IdentityRecord | undefined> {
  const arn = parseArn(roleArn);
  const name = arn?.service === 'iam' && arn.region === '' ? /^role\/(?:.*\/)?([^/]+)$/.exec(arn.resource)?.[1] : undefined;
  if (!arn || name === undefined || !/^\d{12}$/.test(arn.accountId)) {
    throw new QueryError('ValidationError', `${roleArn} is invalid`);
  }
  const role = await ctx.deps.store.getIdentity(arn.accountId, 'role', name);
  // The whole ARN must name it, path included: a role of the same name under another path is another role.
  return role && `role${role.path}${role.name}` === arn.resource ? role : undefined;
}

/**
 * A trust policy as the evaluator reads a policy: its statements are about the role they are attached to, so
 * they name no Resource; each one that names none is read as naming the role.
 */
function trustPolicyOf(text: string, roleArn: string): PolicyDocument {
  const doc = JSON.parse(text) as { Statement: unknown };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<Record<string, unknown>>;
  const about = statements.map((st) => (st.Resource === undefined && st.NotResource === undefined ? { ...st, Resource: roleArn } : st));
  return parsePolicy(JSON.stringify({ ...doc, Statement: about }));
}

/** The condition keys a trust policy may test: the caller's, and the request's sts: keys. */
function trustConditions(ctx: OpContext, externalId: string | undefined, sessionName: string): ConditionLookup {
  return callerConditions(ctx, {
    'sts:externalid': () => (externalId === undefined ? 'absent' : [externalId]),
    'sts:rolesessionname': () => [sessionName],
  });
}

/**
 * IAM's decision on AssumeRole: the role's trust policy is the resource policy, the caller's identity policies
 * the rest, weighed as every KMS request is (policy/access.ts): an explicit Deny in either refuses; a trust
 * policy naming the caller (or anyone) lets a caller of the role's account in on its own; one naming the
 * caller's account delegates to its identity policies, which a caller of another account always needs.
 */
async function mayAssume(ctx: OpContext, trust: PolicyDocument, roleAccount: string, access: AccessRequest): Promise<boolean> {
  const identityPolicies = await callerIdentityPolicies(ctx);
  return decideAccess({ ...access, resourceAccountId: roleAccount, resourcePolicy: trust, identityPolicies }).allowed;
}

/**
 * Temporary credentials for a role whose trust policy lets the caller assume it: an ASIA… access key, a
 * secret and a session token, stored as the secret wrapped under the root key and the token's SHA-256. The
 * account root may not assume roles, as in AWS. Session policies are refused rather than ignored: ignoring one
 * would give the session more than it asked for.
 */
export const assumeRole: StsHandler<'AssumeRole'> = async (input, ctx) => {
  const { caller } = ctx;
  if (caller.identityArn === undefined) throw new QueryError('AccessDenied', 'Roles may not be assumed by root accounts.');
  if (input.Policy !== undefined || (input.PolicyArns?.length ?? 0) > 0) {
    throw new QueryError('ValidationError', 'Session policies (Policy, PolicyArns) are not supported by Trent.');
  }
  const role = await roleNamed(ctx, input.RoleArn);
  if (!role?.trustPolicy) throw notAuthorized(ctx, input.RoleArn);
  const principal = principalOf(caller);
  const access = {
    principal, action: 'sts:AssumeRole', resource: input.RoleArn, conditions: trustConditions(ctx, input.ExternalId, input.RoleSessionName),
  };
  if (!(await mayAssume(ctx, trustPolicyOf(role.trustPolicy, input.RoleArn), role.accountId, access))) throw notAuthorized(ctx, input.RoleArn);

  const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
  const chained = caller.principalArn.includes(':assumed-role/');
  if (chained && duration > ROLE_CHAINING_MAX_SECONDS) {
    throw new QueryError('ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > maxSessionSeconds(role)) {
    throw new QueryError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const accessKeyId = newAccessKeyId('ASIA');
  const secretAccessKey = randomBytes(30).toString('base64');
  const sessionToken = randomBytes(96).toString('base64');
  const expiresAt = new Date(ctx.now.getTime() + duration * 1000);
  const roleArn = `arn:${principal.partition}:iam::${role.accountId}:role${role.path}${role.name}`;
  await ctx.transaction((tx) => tx.insertSession({
    accessKeyId, accountId: role.accountId, tokenHash: sessionTokenHash(sessionToken).toString('hex'),
    wrappedSecret: ctx.deps.root.wrap(wrapIdentity.accessKey(accessKeyId), Buffer.from(secretAccessKey)),
    roleName: role.name, roleArn, roleId: role.id, sessionName: input.RoleSessionName, createdAt: ctx.now, expiresAt,
  }));
  return {
    Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: secretAccessKey, SessionToken: sessionToken, Expiration: expiresAt },
    AssumedRoleUser: {
      AssumedRoleId: `${role.id}:${input.RoleSessionName}`,
      Arn: `arn:${principal.partition}:sts::${role.accountId}:assumed-role/${role.name}/${input.RoleSessionName}`,
    },
  };
};
