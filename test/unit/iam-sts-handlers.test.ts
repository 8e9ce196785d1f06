import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import type { Caller } from '../../src/model/caller.js';
import { KmsError } from '../../src/model/errors.js';
import { QueryError } from '../../src/model/query-errors.js';
import { createAccessKey, updateAccessKey } from '../../src/ops/iam/access-keys.js';
import { authorizeIam } from '../../src/ops/iam/authorize.js';
import { getRolePolicy, putRolePolicy } from '../../src/ops/iam/inline-policies.js';
import { createRole, deleteRole } from '../../src/ops/iam/roles.js';
import { createUser, getUser } from '../../src/ops/iam/users.js';
import { assumeRole } from '../../src/ops/sts/assume-role.js';
import { getCallerIdentity } from '../../src/ops/sts/get-caller-identity.js';
import { AccessKeys } from '../../src/server/access-keys.js';
import { serveAuthenticator } from '../../src/server/authenticators.js';
import type { Config } from '../../src/server/config.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { Clock } from '../../src/util/clock.js';
import { signRequest } from '../../src/util/sigv4.js';
import { testContext, testIdentities } from '../support/op-context.js';

const ACCOUNT = '111122223333';
const ROOT: Caller = { accountId: ACCOUNT, region: 'us-east-1', accessKeyId: 'AKIAROOT', principalArn: `arn:aws:iam::${ACCOUNT}:root` };
const ALICE: Caller = { ...ROOT, accessKeyId: 'AKIAALICE', principalArn: `arn:aws:iam::${ACCOUNT}:user/alice`, identityArn: `arn:aws:iam::${ACCOUNT}:user/alice` };
const SESSION: Caller = {
  ...ROOT, accessKeyId: 'ASIASESSION', principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s`, identityArn: `arn:aws:iam::${ACCOUNT}:role/app`,
};

const BOB = { ...ALICE, principalArn: `arn:aws:iam::${ACCOUNT}:user/bob`, identityArn: `arn:aws:iam::${ACCOUNT}:user/bob` };
const CAROL = { ...ALICE, principalArn: `arn:aws:iam::${ACCOUNT}:user/carol`, identityArn: `arn:aws:iam::${ACCOUNT}:user/carol` };
const DAN = { ...ALICE, principalArn: `arn:aws:iam::${ACCOUNT}:user/dan`, identityArn: `arn:aws:iam::${ACCOUNT}:user/dan` };
const identityPolicy = (effect: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'sts:AssumeRole', Resource: '*' }] });
/** Alice, Bob and the app role's sessions may assume roles by their identity policies; Carol has none; Dan is denied. */
const IDENTITIES = testIdentities({
  [ALICE.identityArn!]: [identityPolicy('Allow')], [BOB.identityArn]: [identityPolicy('Allow')],
  [SESSION.identityArn!]: [identityPolicy('Allow')], [DAN.identityArn]: [identityPolicy('Deny')],
});

function trust(statement: object): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }] });
}

async function refusal(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof QueryError) return [e.code, e.message];
    if (e instanceof KmsError) return [e.type, e.message];
    throw e;
  }
  assert.fail('expected a refusal');
}

describe('IAM and STS handlers', () => {
  let store: SqliteStore;
  let root: RootKey;
  const as = (caller: Caller) => testContext({ store, root, identities: IDENTITIES }, { caller, now: new Date() });

  before(async () => {
    store = new SqliteStore(':memory:');
    root = new RootKey(randomBytes(32));
    await createUser({ UserName: 'alice' }, as(ROOT));
    await createUser({ UserName: 'bob' }, as(ROOT));
    await createRole({ RoleName: 'app', AssumeRolePolicyDocument: trust({ Principal: { AWS: ALICE.principalArn } }) }, as(ROOT));
  });
  after(() => store.close());

  test('a role\'s ARN carries its path, and AssumeRole needs that whole ARN', async () => {
    const { Role } = await createRole({
      RoleName: 'deep', Path: '/svc/', AssumeRolePolicyDocument: trust({ Principal: { AWS: ACCOUNT } }), MaxSessionDuration: 7200,
    }, as(ROOT));
    assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/svc/deep`);
    const ok = await assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'one', DurationSeconds: 7200 }, as(ALICE));
    assert.equal(ok.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deep/one`);
    const [code] = await refusal(assumeRole({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deep`, RoleSessionName: 'one' }, as(ALICE)));
    assert.equal(code, 'AccessDenied');
    const [tooLong, message] = await refusal(assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'one', DurationSeconds: 7201 }, as(ALICE)));
    assert.deepEqual([tooLong, message], ['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.']);
    // A session assuming a role (role chaining) is held to an hour.
    const [chained] = await refusal(assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'two', DurationSeconds: 3601 }, as(SESSION)));
    assert.equal(chained, 'ValidationError');
    await assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'two', DurationSeconds: 3600 }, as(SESSION));
  });

  test('trust policy conditions: sts:ExternalId, and a Deny winning over an Allow', async () => {
    const { Role } = await createRole({
      RoleName: 'vendor',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [
        { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x-123' } } },
        { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'sts:AssumeRole' },
      ] }),
    }, as(ROOT));
    const [none, message] = await refusal(assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'ss' }, as(ALICE)));
    assert.deepEqual([none, message],
      ['AccessDenied', `User: ${ALICE.principalArn} is not authorized to perform: sts:AssumeRole on resource: ${Role.Arn}`]);
    await assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'ss', ExternalId: 'x-123' }, as(ALICE));
    assert.equal((await refusal(assumeRole({ RoleArn: Role.Arn, RoleSessionName: 'ss', ExternalId: 'x-123' }, as(BOB))))[0], 'AccessDenied');
  });

  test('a trust policy naming the account delegates to identity policies; one naming the caller does not', async () => {
    const { Role: byAccount } = await createRole({ RoleName: 'by-account', AssumeRolePolicyDocument: trust({ Principal: { AWS: ACCOUNT } }) }, as(ROOT));
    const { Role: byName } = await createRole({
      RoleName: 'by-name', AssumeRolePolicyDocument: trust({ Principal: { AWS: [CAROL.principalArn, DAN.principalArn] } }),
    }, as(ROOT));
    // Carol has no identity policy: in by name only.
    assert.equal((await refusal(assumeRole({ RoleArn: byAccount.Arn, RoleSessionName: 'ss' }, as(CAROL))))[0], 'AccessDenied');
    await assumeRole({ RoleArn: byName.Arn, RoleSessionName: 'ss' }, as(CAROL));
    await assumeRole({ RoleArn: byAccount.Arn, RoleSessionName: 'ss' }, as(ALICE));
    // An explicit Deny in Dan's identity policy refuses him even where the trust policy names him.
    assert.equal((await refusal(assumeRole({ RoleArn: byName.Arn, RoleSessionName: 'ss' }, as(DAN))))[0], 'AccessDenied');
  });

  test('session policies are refused, not ignored; the root may not assume roles', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:role/app`;
    assert.equal((await refusal(assumeRole({ RoleArn: arn, RoleSessionName: 'ss', Policy: '{}' }, as(ALICE))))[0], 'ValidationError');
    assert.deepEqual(await refusal(assumeRole({ RoleArn: arn, RoleSessionName: 'ss' }, as(ROOT))),
      ['AccessDenied', 'Roles may not be assumed by root accounts.']);
  });

  test('GetCallerIdentity names the root, a user by its ID, a session by its role\'s ID and session name', async () => {
    assert.deepEqual(await getCallerIdentity({}, as(ROOT)), { UserId: ACCOUNT, Account: ACCOUNT, Arn: ROOT.principalArn });
    const user = (await getUser({ UserName: 'alice' }, as(ROOT))).User;
    assert.equal((await getCallerIdentity({}, as(ALICE))).UserId, user.UserId);
    const made = await assumeRole({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`, RoleSessionName: 'me' }, as(ALICE));
    const session = { ...SESSION, accessKeyId: made.Credentials!.AccessKeyId, principalArn: made.AssumedRoleUser!.Arn };
    assert.equal((await getCallerIdentity({}, as(session))).UserId, made.AssumedRoleUser!.AssumedRoleId);
    // GetUser without a name is the caller's user; a role session has none.
    assert.equal((await getUser({}, as(ALICE))).User.UserName, 'alice');
    assert.equal((await refusal(getUser({}, as(session))))[0], 'ValidationError');
  });

  test('access keys: another user\'s key is not found, Expired is no status to set', async () => {
    const { AccessKey } = await createAccessKey({ UserName: 'bob' }, as(ROOT));
    assert.deepEqual(await refusal(updateAccessKey({ UserName: 'alice', AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' }, as(ROOT))),
      ['NoSuchEntity', `The Access Key with id ${AccessKey.AccessKeyId} cannot be found.`]);
    // Alice acting on her own keys (no UserName) cannot reach Bob's either.
    assert.equal((await refusal(updateAccessKey({ AccessKeyId: AccessKey.AccessKeyId, Status: 'Inactive' }, as(ALICE))))[0], 'NoSuchEntity');
    assert.equal((await refusal(updateAccessKey({ UserName: 'bob', AccessKeyId: AccessKey.AccessKeyId, Status: 'Expired' }, as(ROOT))))[0],
      'InvalidInput');
  });

  test('a role with policies is not deleted; its policy document comes back URL-encoded', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] });
    await putRolePolicy({ RoleName: 'app', PolicyName: 'decrypt', PolicyDocument: doc }, as(ROOT));
    assert.equal((await getRolePolicy({ RoleName: 'APP', PolicyName: 'decrypt' }, as(ROOT))).PolicyDocument, encodeURIComponent(doc));
    assert.deepEqual(await refusal(deleteRole({ RoleName: 'app' }, as(ROOT))), ['DeleteConflict', 'Cannot delete entity, must delete policies first.']);
    const [malformed] = await refusal(putRolePolicy({ RoleName: 'app', PolicyName: 'bad', PolicyDocument: '{"Statement":[{"Effect":"Maybe"}]}' }, as(ROOT)));
    assert.equal(malformed, 'MalformedPolicyDocument');
  });

  test('session credentials: the token is required and checked, and they stop at their expiry', async () => {
    const made = await assumeRole({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`, RoleSessionName: 'exp', DurationSeconds: 900 }, as(ALICE));
    const creds = { accessKeyId: made.Credentials!.AccessKeyId, secretAccessKey: made.Credentials!.SecretAccessKey,
      sessionToken: made.Credentials!.SessionToken };
    const clock = new Clock();
    const authenticate = serveAuthenticator({ maxSkewMs: 300_000 } as Config, new AccessKeys(store, root), clock);
    const signed = (c: typeof creds | Omit<typeof creds, 'sessionToken'>) => {
      const req = { method: 'POST', path: '/', headers: { host: 'localhost' } as Record<string, string>, body: Buffer.from('Action=GetCallerIdentity') };
      return { ...req, headers: { ...req.headers, ...signRequest(req, c, 'us-east-1', 'sts', clock.now()) } };
    };
    const caller = await authenticate(signed(creds), 'sts');
    assert.deepEqual([caller.principalArn, caller.identityArn],
      [`arn:aws:sts::${ACCOUNT}:assumed-role/app/exp`, `arn:aws:iam::${ACCOUNT}:role/app`]);
    const { sessionToken: _, ...noToken } = creds;
    assert.deepEqual(await refusal(authenticate(signed(noToken), 'sts')),
      ['UnrecognizedClientException', 'The security token included in the request is invalid.']);
    clock.setOffset(901_000);
    assert.deepEqual(await refusal(authenticate(signed(creds), 'sts')),
      ['ExpiredTokenException', 'The security token included in the request is expired']);
  });
});

describe('authorization of IAM\'s own API', () => {
  const policy = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const identities = testIdentities({
    [ALICE.identityArn!]: [policy({ Effect: 'Allow', Action: ['iam:Get*', 'iam:CreateAccessKey'], Resource: `arn:aws:iam::${ACCOUNT}:user/alice` })],
    [BOB.identityArn]: [policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }),
      policy({ Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' })],
  });
  const as = (caller: Caller, enforce = true) => testContext({
    identities, settings: { posture: 'serve', sm2Everywhere: false, enforceKeyPolicies: enforce },
    store: { getIdentity: async () => undefined } as never,
  }, { caller });

  test('the root may do anything; a user what its identity policies allow, an explicit Deny winning', async () => {
    await authorizeIam('DeleteUser', { UserName: 'x' }, as(ROOT));
    await authorizeIam('GetUser', {}, as(ALICE));
    await authorizeIam('CreateAccessKey', {}, as(ALICE));
    assert.deepEqual(await refusal(authorizeIam('GetUser', { UserName: 'bob' }, as(ALICE))), ['AccessDenied',
      `User: ${ALICE.principalArn} is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${ACCOUNT}:user/bob ` +
      'because no identity-based policy allows the iam:GetUser action']);
    assert.equal((await refusal(authorizeIam('ListUsers', {}, as(ALICE))))[0], 'AccessDenied');
    await authorizeIam('CreateUser', { UserName: 'new', Path: '/x/' }, as(BOB));
    assert.deepEqual(await refusal(authorizeIam('DeleteUser', { UserName: 'alice' }, as(BOB))), ['AccessDenied',
      `User: ${BOB.principalArn} is not authorized to perform: iam:DeleteUser on resource: arn:aws:iam::${ACCOUNT}:user/alice ` +
      'with an explicit deny in an identity-based policy']);
    assert.equal((await refusal(authorizeIam('CreateUser', { UserName: 'x' }, as(CAROL))))[0], 'AccessDenied');
    // Where policies are not enforced (dev without --enforce-policies), neither is this.
    await authorizeIam('CreateUser', { UserName: 'x' }, as(CAROL, false));
  });
});
