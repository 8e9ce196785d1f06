import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, GetUserPolicyCommand, IAMClient, ListGroupsForUserCommand, ListUsersCommand,
  PutUserPolicyCommand, UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { readTrail } from '../support/audit.js';
import { credentialsFrom, startTrent, useTrent, removeDir, type RunningTrent } from '../support/trent.js';

interface Creds { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string | undefined }

const ACCOUNT = '111122223333';

/** `aws <args> --endpoint-url …` with `creds`, its JSON answer parsed (AWS CLI v1). */
function awsCli(trent: RunningTrent, creds: Creds, ...args: string[]): Record<string, unknown> {
  const out = execFileSync('aws', [...args, '--endpoint-url', trent.endpoint, '--output', 'json'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_SESSION_TOKEN: creds.sessionToken ?? '', AWS_DEFAULT_REGION: 'us-east-1', AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return out.trim() === '' ? {} : JSON.parse(out) as Record<string, unknown>;
}

/** The error code and message the AWS CLI reports for a refused call. */
function awsCliError(trent: RunningTrent, creds: Creds, ...args: string[]): string {
  try {
    awsCli(trent, creds, ...args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr).trim();
  }
  assert.fail('expected the call to fail');
}

/** Runs a boto3 script with `creds` and the endpoint in the environment; it prints one JSON value. */
async function boto3(trent: RunningTrent, creds: Creds, script: string): Promise<unknown> {
  const prelude = [
    'import boto3, json, os, botocore',
    "def client(name, **kw): return boto3.client(name, endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1', **kw)",
    'def code(f):',
    '    try:',
    '        f()',
    "        return 'ok'",
    '    except botocore.exceptions.ClientError as e:',
    "        return e.response['Error']['Code']",
  ].join('\n');
  const { stdout } = await promisify(execFile)('python3', ['-c', `${prelude}\n${script}`], {
    env: {
      ...process.env, ENDPOINT: trent.endpoint, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    },
  });
  return JSON.parse(stdout);
}

function iam(trent: RunningTrent, creds: Creds): IAMClient {
  return new IAMClient({ endpoint: trent.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
}

function sts(trent: RunningTrent, creds: Creds): STSClient {
  return new STSClient({ endpoint: trent.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
}

async function failure(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    return [(e as Error).name, (e as Error).message];
  }
  assert.fail('expected the call to fail');
}

function kms(trent: RunningTrent, creds: Creds): KMSClient {
  return new KMSClient({ endpoint: trent.endpoint, region: 'us-west-2', credentials: creds, maxAttempts: 1 });
}

/** Each call on a fresh client (a new connection): with two workers, consecutive connections reach both. */
async function everyWorkerRefuses(trent: RunningTrent, creds: Creds, expected: string): Promise<void> {
  for (let i = 0; i < 4; i++) {
    const [name] = await failure(kms(trent, creds).send(new ListKeysCommand({})));
    assert.equal(name, expected, `request ${i + 1}`);
  }
}

const TRUST_ALICE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'sts:AssumeRole' }],
});
const KMS_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });

describe('IAM and STS in serve: users and roles made with the tools users have, each signing with its own keys', () => {
  const trent = useTrent({ posture: 'serve' });
  let root: Creds;
  let alice: Creds;
  let bob: Creds;
  before(() => { root = credentialsFrom(trent().output()); });

  test('the AWS CLI makes users, their keys and inline policies; the first start\'s key is the account root', () => {
    assert.deepEqual(awsCli(trent(), root, 'sts', 'get-caller-identity'),
      { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
    const user = awsCli(trent(), root, 'iam', 'create-user', '--user-name', 'alice').User as Record<string, string>;
    assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
    assert.match(user.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(user.Path, '/');
    const key = awsCli(trent(), root, 'iam', 'create-access-key', '--user-name', 'alice').AccessKey as Record<string, string>;
    assert.match(key.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(key.Status, 'Active');
    alice = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    awsCli(trent(), root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'kms-all', '--policy-document', KMS_ALL);
    assert.deepEqual(awsCli(trent(), root, 'iam', 'get-user-policy', '--user-name', 'alice', '--policy-name', 'kms-all'),
      { UserName: 'alice', PolicyName: 'kms-all', PolicyDocument: JSON.parse(KMS_ALL) });
    assert.deepEqual(awsCli(trent(), root, 'iam', 'list-user-policies', '--user-name', 'alice'), { PolicyNames: ['kms-all'] });
    // Alice signs with her own key and is known as herself, by STS (which needs no permission)…
    assert.deepEqual(awsCli(trent(), alice, 'sts', 'get-caller-identity'),
      { UserId: user.UserId, Account: ACCOUNT, Arn: user.Arn });
    // …and by IAM, whose own API a user may call only as an identity policy allows.
    assert.match(awsCliError(trent(), alice, 'iam', 'get-user'), new RegExp('\\(AccessDenied\\) when calling the GetUser operation: ' +
      `User: ${user.Arn} is not authorized to perform: iam:GetUser on resource: ${user.Arn} because no identity-based policy allows the iam:GetUser action`));
    awsCli(trent(), root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'self', '--policy-document', JSON.stringify({
      Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:*AccessKey*'], Resource: user.Arn }],
    }));
    assert.equal((awsCli(trent(), alice, 'iam', 'get-user').User as Record<string, string>).UserName, 'alice');
    // Nothing lets her make users, or give herself more.
    assert.match(awsCliError(trent(), alice, 'iam', 'create-user', '--user-name', 'mallory'), /\(AccessDenied\)/);
    assert.match(awsCliError(trent(), alice, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'more',
      '--policy-document', KMS_ALL), /\(AccessDenied\)/);
  });

  test('IAM\'s errors, as AWS words them', () => {
    assert.match(awsCliError(trent(), root, 'iam', 'create-user', '--user-name', 'ALICE'),
      /\(EntityAlreadyExists\) when calling the CreateUser operation: User with name ALICE already exists\./);
    assert.match(awsCliError(trent(), root, 'iam', 'get-user', '--user-name', 'nobody'),
      /\(NoSuchEntity\) when calling the GetUser operation: The user with name nobody cannot be found\./);
    assert.match(awsCliError(trent(), root, 'iam', 'delete-user', '--user-name', 'alice'),
      /\(DeleteConflict\) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first\./);
    assert.match(awsCliError(trent(), root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'p',
      '--policy-document', '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}'),
    /\(MalformedPolicyDocument\) when calling the PutUserPolicy operation: Policy document should not specify a principal\./);
    assert.match(awsCliError(trent(), root, 'iam', 'put-user-policy', '--user-name', 'alice', '--policy-name', 'p',
      '--policy-document', '{"Statement":'), /\(MalformedPolicyDocument\)/);
    assert.match(awsCliError(trent(), root, 'iam', 'create-user', '--user-name', 'bad name'),
      /\(ValidationError\) when calling the CreateUser operation: 1 validation error detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+/);
  });

  test('the query protocol on the wire: XML answers and errors with the model\'s statuses', async () => {
    const [name, message] = await failure(iam(trent(), root).send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'none' })));
    assert.equal(name, 'NoSuchEntityException');
    assert.equal(message, 'The user policy with name none cannot be found.');
    // Unsigned: no identity, answered as IAM answers it.
    const res = await fetch(trent().endpoint, {
      method: 'POST', body: 'Action=ListUsers&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 403);
    assert.match(await res.text(),
      /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
  });

  test('pagination: Marker, MaxItems and IsTruncated', async () => {
    const client = iam(trent(), root);
    for (const name of ['u1', 'u2', 'u3']) await client.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));
    const first = await client.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2 }));
    assert.deepEqual(first.Users!.map((u) => u.UserName), ['u1', 'u2']);
    assert.equal(first.IsTruncated, true);
    const second = await client.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker: first.Marker }));
    assert.deepEqual(second.Users!.map((u) => [u.UserName, u.Arn]), [['u3', `arn:aws:iam::${ACCOUNT}:user/paged/u3`]]);
    assert.equal(second.IsTruncated, false);
    // Trent has no groups: every user is in none.
    assert.deepEqual((await client.send(new ListGroupsForUserCommand({ UserName: 'u1' }))).Groups, []);
  });

  test('boto3: AssumeRole as the trust policy allows, temporary credentials whose token is checked', async () => {
    await boto3(trent(), root, `
i = client('iam')
i.create_role(RoleName='app', AssumeRolePolicyDocument=${JSON.stringify(TRUST_ALICE)})
i.put_role_policy(RoleName='app', PolicyName='kms', PolicyDocument=${JSON.stringify(KMS_ALL)})
i.create_user(UserName='bob')
i.put_user_policy(UserName='bob', PolicyName='kms', PolicyDocument=${JSON.stringify(KMS_ALL)})
k = i.create_access_key(UserName='bob')['AccessKey']
print(json.dumps({'id': k['AccessKeyId'], 'secret': k['SecretAccessKey']}))`).then((k) => {
      const made = k as { id: string; secret: string };
      bob = { accessKeyId: made.id, secretAccessKey: made.secret };
    });
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/app`;
    const assumed = await boto3(trent(), alice, `
r = client('sts').assume_role(RoleArn='${roleArn}', RoleSessionName='job-1', DurationSeconds=900)
c = r['Credentials']
print(json.dumps({'id': c['AccessKeyId'], 'secret': c['SecretAccessKey'], 'token': c['SessionToken'], 'user': r['AssumedRoleUser'],
  'expires': c['Expiration'].isoformat()}))`) as { id: string; secret: string; token: string; user: Record<string, string>; expires: string };
    assert.match(assumed.id, /^ASIA[A-Z2-7]{16}$/);
    assert.match(assumed.user.AssumedRoleId!, /^AROA[A-Z2-7]{17}:job-1$/);
    assert.equal(assumed.user.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/job-1`);
    const lifetime = Date.parse(assumed.expires) - Date.now();
    assert.ok(lifetime > 800_000 && lifetime <= 900_000, `expires in ${lifetime} ms`);
    const session = { accessKeyId: assumed.id, secretAccessKey: assumed.secret, sessionToken: assumed.token };
    const who = await sts(trent(), session).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([who.Arn, who.UserId], [assumed.user.Arn, assumed.user.AssumedRoleId]);
    // The session's credentials work for KMS too, with its role's policy…
    await kms(trent(), session).send(new ListKeysCommand({}));
    // …but not without their token, nor with another one.
    const [noToken] = await failure(sts(trent(), { accessKeyId: assumed.id, secretAccessKey: assumed.secret })
      .send(new GetCallerIdentityCommand({})));
    assert.equal(noToken, 'InvalidClientTokenId');
    const forged = { ...session, sessionToken: `${assumed.token.slice(0, -4)}AAAA` };
    assert.equal((await failure(sts(trent(), forged).send(new GetCallerIdentityCommand({}))))[0], 'InvalidClientTokenId');
    assert.equal((await failure(kms(trent(), forged).send(new ListKeysCommand({}))))[0],
      'UnrecognizedClientException');
    // A long-term key carries no token.
    assert.equal((await failure(sts(trent(), { ...alice, sessionToken: assumed.token }).send(new GetCallerIdentityCommand({}))))[0],
      'InvalidClientTokenId');

    // Bob is not in the trust policy; the root may not assume roles; the role must exist.
    assert.deepEqual(await boto3(trent(), bob, `
s = client('sts')
print(json.dumps([code(lambda: s.assume_role(RoleArn='${roleArn}', RoleSessionName='xx')),
  code(lambda: s.assume_role(RoleArn='arn:aws:iam::${ACCOUNT}:role/none', RoleSessionName='xx'))]))`), ['AccessDenied', 'AccessDenied']);
    const [rootName, rootMessage] = await failure(sts(trent(), root).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'xx' })));
    assert.deepEqual([rootName, rootMessage], ['AccessDenied', 'Roles may not be assumed by root accounts.']);
    // DurationSeconds beyond the role's MaxSessionDuration (an hour by default).
    assert.deepEqual(await boto3(trent(), alice, `
print(json.dumps(code(lambda: client('sts').assume_role(RoleArn='${roleArn}', RoleSessionName='xx', DurationSeconds=7200))))`),
    'ValidationError');
  });

  test('an Inactive key is refused at once, by every worker; Active again, it works; a deleted key is refused at once', async () => {
    const admin = iam(trent(), root);
    const made = (await admin.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
    const carol = { accessKeyId: made.AccessKeyId!, secretAccessKey: made.SecretAccessKey! };
    // Cached by both workers first, so what follows must be the change feed's doing.
    for (let i = 0; i < 4; i++) await kms(trent(), carol).send(new ListKeysCommand({}));
    await admin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: carol.accessKeyId, Status: 'Inactive' }));
    await everyWorkerRefuses(trent(), carol, 'UnrecognizedClientException');
    const [stsName, stsMessage] = await failure(sts(trent(), carol).send(new GetCallerIdentityCommand({})));
    assert.deepEqual([stsName, stsMessage], ['InvalidClientTokenId', 'The security token included in the request is invalid.']);
    await admin.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: carol.accessKeyId, Status: 'Active' }));
    await sts(trent(), carol).send(new GetCallerIdentityCommand({}));
    // Bob's quota is two keys.
    const [limit, limitMessage] = await failure(admin.send(new CreateAccessKeyCommand({ UserName: 'bob' })));
    assert.deepEqual([limit, limitMessage], ['LimitExceededException', 'Cannot exceed quota for AccessKeysPerUser: 2']);
    await admin.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: carol.accessKeyId }));
    await everyWorkerRefuses(trent(), carol, 'UnrecognizedClientException');
  });

  test('IAM and STS calls are in the audit trail, from their own services, with no secret', async () => {
    const { events, lines } = await readTrail(trent().storeArgs, ['--event-name', 'CreateAccessKey']);
    assert.ok(events.length >= 2);
    for (const e of events) assert.equal(e.eventSource, 'iam.amazonaws.com');
    assert.deepEqual(events[0]!.requestParameters, { userName: 'alice' });
    const assumed = (await readTrail(trent().storeArgs, ['--event-name', 'AssumeRole'])).events;
    assert.ok(assumed.some((e) => e.eventSource === 'sts.amazonaws.com' && e.errorCode === undefined));
    assert.ok(assumed.some((e) => e.errorCode === 'AccessDenied'));
    for (const secret of [alice.secretAccessKey, bob.secretAccessKey]) assert.ok(!lines.join('\n').includes(secret));
  });
});

describe('IAM writes survive kill -9 once answered', () => {
  test('a user, its key and its policy, answered, are there after a crash', async () => {
    let trent = await startTrent({ posture: 'serve' });
    try {
      const root = credentialsFrom(trent.output());
      const client = iam(trent, root);
      await client.send(new CreateUserCommand({ UserName: 'durable' }));
      const key = (await client.send(new CreateAccessKeyCommand({ UserName: 'durable' }))).AccessKey!;
      await client.send(new PutUserPolicyCommand({ UserName: 'durable', PolicyName: 'p', PolicyDocument: KMS_ALL }));
      await trent.stop('SIGKILL');
      trent = await startTrent({ posture: 'serve', dataDir: trent.dataDir });
      const policy = await iam(trent, root).send(new GetUserPolicyCommand({ UserName: 'durable', PolicyName: 'p' }));
      assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), JSON.parse(KMS_ALL));
      const who = await sts(trent, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! })
        .send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/durable`);
    } finally {
      await trent.stop();
      await removeDir(trent.dataDir);
    }
  });
});

describe('trent dev --enforce-policies: keys made through IAM make their identity the caller', () => {
  const trent = useTrent({ posture: 'dev', args: ['--enforce-policies'] });

  test('a user\'s key is that user (its signature checked); any other key is the account root', async () => {
    const anyone = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
    assert.equal((await sts(trent(), anyone).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    const client = iam(trent(), anyone);
    await client.send(new CreateUserCommand({ UserName: 'dana' }));
    const key = (await client.send(new CreateAccessKeyCommand({ UserName: 'dana' }))).AccessKey!;
    const dana = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    assert.equal((await sts(trent(), dana).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/dana`);
    const [name] = await failure(sts(trent(), { ...dana, secretAccessKey: 'wrong' }).send(new GetCallerIdentityCommand({})));
    assert.equal(name, 'SignatureDoesNotMatch');
  });
});

describe('trent dev without the switch: any credentials are the root, IAM works', () => {
  const trent = useTrent({ posture: 'dev' });

  test('a key made through IAM is still the account root', async () => {
    const anyone = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };
    await iam(trent(), anyone).send(new CreateUserCommand({ UserName: 'erin' }));
    const key = (await iam(trent(), anyone).send(new CreateAccessKeyCommand({ UserName: 'erin' }))).AccessKey!;
    const who = await sts(trent(), { accessKeyId: key.AccessKeyId!, secretAccessKey: 'anything' }).send(new GetCallerIdentityCommand({}));
    assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  });
});
