/**
 * AWS's authorization of a KMS request as one decision (src/policy/access.ts), table-driven: key policy ×
 * identity policy × explicit Deny × account root × cross-account × conditions, with the decision, the
 * AccessDenied reason and its words; and grants' place in it (grantMayAllow).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAccess, denialMessage, grantMayAllow, type DenialReason } from '../../src/policy/access.js';
import type { ConditionLookup, ConditionValues } from '../../src/policy/conditions.js';
import { parseIdentityPolicy, parsePolicy, type PolicyDocument } from '../../src/policy/document.js';
import type { Principal } from '../../src/policy/evaluate.js';
import { KmsError } from '../../src/model/errors.js';

const A = '111122223333';
const B = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const OTHER_KEY = `arn:aws:kms:us-east-1:${A}:key/0000abcd-12ab-34cd-56ef-1234567890ab`;

const rootA: Principal = { arn: `arn:aws:iam::${A}:root`, accountId: A, partition: 'aws' };
const alice: Principal = { arn: `arn:aws:iam::${A}:user/alice`, identityArn: `arn:aws:iam::${A}:user/alice`, accountId: A, partition: 'aws' };
const session: Principal = {
  arn: `arn:aws:sts::${A}:assumed-role/app/run-1`, identityArn: `arn:aws:iam::${A}:role/app`, accountId: A, partition: 'aws',
};
const rootB: Principal = { arn: `arn:aws:iam::${B}:root`, accountId: B, partition: 'aws' };
const bob: Principal = { arn: `arn:aws:iam::${B}:user/bob`, identityArn: `arn:aws:iam::${B}:user/bob`, accountId: B, partition: 'aws' };

const VALUES: Readonly<Record<string, ConditionValues | 'absent'>> = {
  'kms:encryptioncontext:purpose': ['backup'],
  'kms:encryptioncontextkeys': ['purpose'],
  'aws:sourceip': ['10.1.2.3'],
  'aws:currenttime': ['2026-06-01T00:00:00.000Z'],
  'aws:securetransport': ['true'],
  'aws:resourcetag/team': ['blue'],
  'aws:requesttag/team': 'absent',
  'kms:resourcealiases': ['alias/app', 'alias/backup'],
  'kms:keyspec': ['SYMMETRIC_DEFAULT'],
  'kms:viaservice': 'absent',
  'kms:grantoperations': ['Decrypt', 'Encrypt'],
};
const lookup: ConditionLookup = (name) => VALUES[name] ?? (name.startsWith('kms:encryptioncontext:') ? 'absent' : undefined);

type Raw = Record<string, unknown>;
const keyPolicy = (...statements: Raw[]) => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
const identityPolicy = (...statements: Raw[]) => parseIdentityPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));

const naming = (p: string | string[], extra: Raw = {}): Raw => ({ Effect: 'Allow', Principal: { AWS: p }, Action: 'kms:*', Resource: '*', ...extra });
const DEFAULT = keyPolicy({ Sid: 'Enable IAM User Permissions', ...naming(rootA.arn) });
const iamAllow = (extra: Raw = {}) => identityPolicy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: KEY, ...extra });
const iamDeny = (extra: Raw = {}) => identityPolicy({ Sid: 'NoEncrypt', Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*', ...extra });

interface Row {
  readonly name: string;
  readonly principal: Principal;
  readonly keyPolicy: PolicyDocument | null | undefined;
  readonly identity?: PolicyDocument[];
  readonly action?: string;
  readonly resource?: string;
  /** `allow`, or the reason of the refusal. */
  readonly expect: 'allow' | DenialReason;
}

const ROWS: Row[] = [
  // The default key policy delegates to IAM.
  { name: 'root, default policy', principal: rootA, keyPolicy: DEFAULT, expect: 'allow' },
  { name: 'user without identity policy, default policy', principal: alice, keyPolicy: DEFAULT, expect: 'noIdentityPolicyAllows' },
  { name: 'user with an identity Allow, default policy', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow()], expect: 'allow' },
  { name: 'identity Allow on another key', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow({ Resource: OTHER_KEY })], expect: 'noIdentityPolicyAllows' },
  { name: 'identity Allow with a wildcard resource', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow({ Resource: `arn:aws:kms:*:${A}:key/*` })], expect: 'allow' },
  { name: 'identity Allow of another action', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow()], action: 'kms:Decrypt', expect: 'noIdentityPolicyAllows' },
  { name: 'identity NotAction', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow({ Action: undefined, NotAction: 'kms:Decrypt' })], expect: 'allow' },
  { name: 'identity NotResource', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow({ Resource: undefined, NotResource: OTHER_KEY })], expect: 'allow' },
  // A key policy naming the caller needs no identity policy.
  { name: 'key policy names the user', principal: alice, keyPolicy: keyPolicy(naming(alice.arn)), expect: 'allow' },
  { name: 'key policy names the role: its session', principal: session, keyPolicy: keyPolicy(naming(session.identityArn!)), expect: 'allow' },
  { name: 'key policy names the session', principal: session, keyPolicy: keyPolicy(naming(session.arn)), expect: 'allow' },
  { name: 'key policy names "*"', principal: alice, keyPolicy: keyPolicy({ ...naming('*'), Principal: '*' }), expect: 'allow' },
  { name: 'key policy names another user only', principal: alice, keyPolicy: keyPolicy(naming(`arn:aws:iam::${A}:user/carol`)), identity: [iamAllow()], expect: 'noResourcePolicyAllows' },
  { name: 'root, key policy naming only a user', principal: rootA, keyPolicy: keyPolicy(naming(alice.arn)), expect: 'noResourcePolicyAllows' },
  { name: 'a stored policy that no longer parses', principal: rootA, keyPolicy: null, expect: 'noResourcePolicyAllows' },
  // Explicit Deny anywhere wins.
  { name: 'identity Deny over a key policy Allow naming the user', principal: alice, keyPolicy: keyPolicy(naming(alice.arn)), identity: [iamDeny()], expect: 'explicitDenyInIdentityPolicy' },
  { name: 'identity Deny over an identity Allow', principal: alice, keyPolicy: DEFAULT, identity: [iamAllow(), iamDeny()], expect: 'explicitDenyInIdentityPolicy' },
  { name: 'key policy Deny over an identity Allow', principal: alice, keyPolicy: keyPolicy(naming(rootA.arn), { ...naming(alice.arn), Effect: 'Deny' }), identity: [iamAllow()], expect: 'explicitDenyInResourcePolicy' },
  { name: 'key policy Deny naming the account reaches its users', principal: alice, keyPolicy: keyPolicy(naming(alice.arn), { ...naming(A), Effect: 'Deny', Action: 'kms:Encrypt' }), expect: 'explicitDenyInResourcePolicy' },
  { name: 'key policy Deny reaches the root', principal: rootA, keyPolicy: keyPolicy(naming(rootA.arn), { ...naming('*'), Principal: '*', Effect: 'Deny' }), expect: 'explicitDenyInResourcePolicy' },
  { name: 'key policy Deny and identity Deny: the key policy is named', principal: alice, keyPolicy: keyPolicy({ ...naming(alice.arn), Effect: 'Deny' }), identity: [iamDeny()], expect: 'explicitDenyInResourcePolicy' },
  { name: 'NotPrincipal Deny spares the user named', principal: alice, keyPolicy: keyPolicy(naming(rootA.arn), { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }), identity: [iamAllow()], expect: 'allow' },
  // Cross-account: the key policy and the caller's identity policy.
  { name: 'other account, key policy silent', principal: bob, keyPolicy: DEFAULT, identity: [iamAllow()], expect: 'noResourcePolicyAllows' },
  { name: 'other account named, no identity policy', principal: bob, keyPolicy: keyPolicy(naming(rootA.arn), naming(rootB.arn)), expect: 'noIdentityPolicyAllows' },
  { name: 'other account named, identity Allow', principal: bob, keyPolicy: keyPolicy(naming(rootA.arn), naming(B)), identity: [iamAllow()], expect: 'allow' },
  { name: 'other account user named, still needs its identity Allow', principal: bob, keyPolicy: keyPolicy(naming(bob.arn)), expect: 'noIdentityPolicyAllows' },
  { name: 'other account user named, identity Allow', principal: bob, keyPolicy: keyPolicy(naming(bob.arn)), identity: [iamAllow()], expect: 'allow' },
  { name: 'other account root, account named', principal: rootB, keyPolicy: keyPolicy(naming(rootB.arn)), expect: 'allow' },
  // No key: identity policies alone.
  { name: 'CreateKey by the root', principal: rootA, keyPolicy: undefined, action: 'kms:CreateKey', resource: '*', expect: 'allow' },
  { name: 'CreateKey without identity policy', principal: alice, keyPolicy: undefined, action: 'kms:CreateKey', resource: '*', expect: 'noIdentityPolicyAllows' },
  { name: 'CreateKey with an identity Allow', principal: alice, keyPolicy: undefined, identity: [identityPolicy({ Effect: 'Allow', Action: 'kms:Create*', Resource: '*' })], action: 'kms:CreateKey', resource: '*', expect: 'allow' },
  { name: 'CreateAlias on another alias', principal: alice, keyPolicy: undefined, identity: [identityPolicy({ Effect: 'Allow', Action: 'kms:CreateAlias', Resource: `arn:aws:kms:us-east-1:${A}:alias/app-*` })], action: 'kms:CreateAlias', resource: `arn:aws:kms:us-east-1:${A}:alias/other`, expect: 'noIdentityPolicyAllows' },
  { name: 'CreateAlias on a matching alias', principal: alice, keyPolicy: undefined, identity: [identityPolicy({ Effect: 'Allow', Action: 'kms:CreateAlias', Resource: `arn:aws:kms:us-east-1:${A}:alias/app-*` })], action: 'kms:CreateAlias', resource: `arn:aws:kms:us-east-1:${A}:alias/app-1`, expect: 'allow' },
  // Conditions, in identity and key policies, with each kind of operator.
  ...([
    ['StringEquals on the context', { StringEquals: { 'kms:EncryptionContext:purpose': 'backup' } }, true],
    ['StringEquals on the context, another value', { StringEquals: { 'kms:EncryptionContext:purpose': 'other' } }, false],
    ['StringNotEquals', { StringNotEquals: { 'kms:EncryptionContext:purpose': 'other' } }, true],
    ['StringLike on a resource tag', { StringLike: { 'aws:ResourceTag/team': 'bl*' } }, true],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:ResourceTag/TEAM': 'BLUE' } }, true],
    ['ForAnyValue on kms:ResourceAliases', { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/app' } }, true],
    ['ForAllValues on kms:ResourceAliases', { 'ForAllValues:StringLike': { 'kms:ResourceAliases': 'alias/app' } }, false],
    ['ForAllValues on kms:GrantOperations', { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Encrypt', 'Decrypt', 'DescribeKey'] } }, true],
    ['IpAddress', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, true],
    ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, false],
    ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, true],
    ['DateGreaterThan', { DateGreaterThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, false],
    ['Bool', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['Null: a request tag absent', { Null: { 'aws:RequestTag/team': 'true' } }, true],
    ['StringEqualsIfExists on an absent key', { StringEqualsIfExists: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }, true],
    ['StringEquals on kms:ViaService (never set here)', { StringEquals: { 'kms:ViaService': 'ec2.us-east-1.amazonaws.com' } }, false],
    ['an unknown condition key fails closed', { StringEquals: { 'aws:NoSuchKey': 'x' } }, false],
  ] as const).flatMap(([name, Condition, holds]): Row[] => [
    { name: `identity Allow, ${name}`, principal: alice, keyPolicy: DEFAULT, identity: [iamAllow({ Condition })], expect: holds ? 'allow' : 'noIdentityPolicyAllows' },
    { name: `key policy Allow, ${name}`, principal: alice, keyPolicy: keyPolicy(naming(alice.arn, { Condition })), expect: holds ? 'allow' : 'noResourcePolicyAllows' },
    { name: `identity Deny, ${name}`, principal: alice, keyPolicy: keyPolicy(naming(alice.arn)), identity: [iamDeny({ Condition })],
      // A Deny whose condition names a key Trent does not know applies: it fails closed.
      expect: holds || name.startsWith('an unknown') ? 'explicitDenyInIdentityPolicy' : 'allow' },
  ]),
];

describe('one decision: key policy × identity policy × deny × account', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const verdict = decideAccess({
        principal: row.principal, action: row.action ?? 'kms:Encrypt', resource: row.resource ?? KEY, conditions: lookup,
        resourceAccountId: A, resourcePolicy: row.keyPolicy, identityPolicies: row.identity ?? [],
      });
      assert.equal(verdict.allowed ? 'allow' : verdict.reason, row.expect, verdict.decidedBy);
    });
  }
});

test('the refusal names the statement that decided', () => {
  const verdict = decideAccess({
    principal: alice, action: 'kms:Encrypt', resource: KEY, conditions: lookup, resourceAccountId: A,
    resourcePolicy: keyPolicy(naming(alice.arn)), identityPolicies: [iamDeny()],
  });
  assert.equal(verdict.allowed, false);
  assert.match(verdict.decidedBy, /identity policy 1 statement NoEncrypt/);
  const delegated = decideAccess({
    principal: alice, action: 'kms:Encrypt', resource: KEY, conditions: lookup, resourceAccountId: A, resourcePolicy: DEFAULT, identityPolicies: [],
  });
  assert.match(delegated.decidedBy, /key policy statement Enable IAM User Permissions leaves it to IAM/);
});

test('grants may allow what no policy allows, never what a policy denies', () => {
  const ask = (identity: PolicyDocument[]) => decideAccess({
    principal: alice, action: 'kms:Encrypt', resource: KEY, conditions: lookup, resourceAccountId: A, resourcePolicy: DEFAULT, identityPolicies: identity,
  });
  assert.equal(grantMayAllow(ask([])), true);
  assert.equal(grantMayAllow(ask([iamDeny()])), false);
  assert.equal(grantMayAllow(ask([iamAllow()])), false, 'already allowed');
});

test("AccessDenied is worded as AWS words it", () => {
  const on = `resource: ${KEY}`;
  assert.equal(denialMessage(alice.arn, 'kms:Encrypt', on, 'noIdentityPolicyAllows'),
    `User: ${alice.arn} is not authorized to perform: kms:Encrypt on resource: ${KEY} because no identity-based policy allows the kms:Encrypt action`);
  assert.equal(denialMessage(alice.arn, 'kms:Encrypt', on, 'noResourcePolicyAllows'),
    `User: ${alice.arn} is not authorized to perform: kms:Encrypt on resource: ${KEY} because no resource-based policy allows the kms:Encrypt action`);
  assert.equal(denialMessage(session.arn, 'kms:Decrypt', on, 'explicitDenyInIdentityPolicy'),
    `User: ${session.arn} is not authorized to perform: kms:Decrypt on resource: ${KEY} with an explicit deny in an identity-based policy`);
  assert.equal(denialMessage(alice.arn, 'kms:Encrypt', on, 'explicitDenyInResourcePolicy'),
    `User: ${alice.arn} is not authorized to perform: kms:Encrypt on resource: ${KEY} with an explicit deny in a resource-based policy`);
});

test('identity policies name no principal and must name resources', () => {
  const refused = (statement: Raw, message: string) => assert.throws(() => identityPolicy(statement),
    (e: unknown) => e instanceof KmsError && e.type === 'MalformedPolicyDocumentException' && e.message === message);
  refused({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }, 'Policy document should not specify a principal.');
  refused({ Effect: 'Allow', Action: 'kms:*' }, 'Policy statement must contain resources.');
  assert.equal(identityPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }).statements.length, 1);
});
