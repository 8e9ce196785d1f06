/**
 * The key policy evaluator (src/policy/evaluate.ts, conditions.ts), table-driven: principals, actions,
 * resources, Deny over Allow, condition operators, absent and unknown keys, and a key the request gives
 * several readings of.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConditionLookup, ConditionValues } from '../../src/policy/conditions.js';
import { parsePolicy } from '../../src/policy/document.js';
import { decide, type Decision, type Principal } from '../../src/policy/evaluate.js';

const ACCOUNT = '111122223333';
const KEY = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const bob: Principal = { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, partition: 'aws' };
const stranger: Principal = { arn: 'arn:aws:iam::444455556666:user/eve', accountId: '444455556666', partition: 'aws' };

const VALUES: Readonly<Record<string, ConditionValues | 'absent'>> = {
  'kms:encryptioncontext:purpose': ['backup'],
  // A context of {"dept": "secret", "DEPT": "x"}: two readings of kms:EncryptionContext:dept.
  'kms:encryptioncontext:dept': { oneOf: ['secret', 'x'] },
  'kms:encryptioncontextkeys': ['purpose', 'team'],
  'kms:encryptionalgorithm': ['SYMMETRIC_DEFAULT'],
  'kms:viaservice': 'absent',
  'kms:requestalias': 'absent',
  'aws:sourceip': ['10.1.2.3'],
  'aws:currenttime': ['2025-06-01T00:00:00.000Z'],
  'aws:securetransport': ['false'],
  'aws:principalarn': [bob.arn],
};
/** As the resolver's lookup: every kms:EncryptionContext:<k> is known, absent unless the context has it. */
const lookup: ConditionLookup = (name) => VALUES[name] ?? (name.startsWith('kms:encryptioncontext:') ? 'absent' : undefined);

/** A statement as a policy's JSON has it; undefined members are left out of the JSON. */
type RawStatement = Record<string, unknown>;

function allow(extra: RawStatement = {}): RawStatement {
  return { Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:Encrypt', Resource: '*', ...extra };
}

function decision(statements: RawStatement[], principal = bob, action = 'kms:Encrypt'): Decision {
  const doc = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }));
  return decide(doc, { principal, action, resource: KEY, conditions: lookup });
}

describe('principal, action and resource', () => {
  const cases: [string, RawStatement[], Decision, Principal?][] = [
    ['no statement applies', [allow({ Action: 'kms:Decrypt' })], 'implicitDeny'],
    ['the user ARN', [allow()], 'allow'],
    ['the account root delegates to the account', [allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })], 'allow'],
    ['the 12-digit account ID', [allow({ Principal: { AWS: ACCOUNT } })], 'allow'],
    ['another user of the account', [allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` } })], 'implicitDeny'],
    ['"*" is anyone', [allow({ Principal: '*' })], 'allow', stranger],
    ['another account is not named', [allow({ Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } })], 'implicitDeny', stranger],
    ['another account named', [allow({ Principal: { AWS: ['arn:aws:iam::444455556666:root'] } })], 'allow', stranger],
    ['NotPrincipal excludes', [allow({ Principal: undefined, NotPrincipal: { AWS: bob.arn } })], 'implicitDeny'],
    ['action wildcard, any case', [allow({ Action: 'KMS:Enc*' })], 'allow'],
    ['action ?', [allow({ Action: 'kms:Encryp?' })], 'allow'],
    ['NotAction', [allow({ Action: undefined, NotAction: 'kms:Decrypt' })], 'allow'],
    ['NotAction naming it', [allow({ Action: undefined, NotAction: 'kms:*' })], 'implicitDeny'],
    ['no Action at all', [allow({ Action: undefined })], 'implicitDeny'],
    ['resource the key ARN', [allow({ Resource: KEY })], 'allow'],
    ['resource another key', [allow({ Resource: KEY.replace('1234abcd', 'ffffffff') })], 'implicitDeny'],
    ['resource wildcard ARN', [allow({ Resource: `arn:aws:kms:*:${ACCOUNT}:key/*` })], 'allow'],
    ['NotResource', [allow({ Resource: undefined, NotResource: 'arn:aws:kms:*:*:alias/*' })], 'allow'],
    ['Deny wins over Allow', [allow(), allow({ Effect: 'Deny' })], 'explicitDeny'],
    ['Deny for someone else', [allow(), allow({ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` } })], 'allow'],
  ];
  for (const [name, statements, expected, principal] of cases) {
    test(name, () => assert.equal(decision(statements, principal), expected));
  }
});

describe('conditions', () => {
  const cases: [string, Record<string, unknown>, boolean][] = [
    ['StringEquals', { StringEquals: { 'kms:EncryptionContext:purpose': 'backup' } }, true],
    ['key names compare without case', { StringEquals: { 'KMS:ENCRYPTIONCONTEXT:PURPOSE': 'backup' } }, true],
    ['values keep their case', { StringEquals: { 'kms:EncryptionContext:purpose': 'Backup' } }, false],
    ['any listed value', { StringEquals: { 'kms:EncryptionContext:purpose': ['x', 'backup'] } }, true],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'kms:EncryptionContext:purpose': 'BACKUP' } }, true],
    ['StringLike', { StringLike: { 'kms:EncryptionContext:purpose': 'back*' } }, true],
    ['StringNotEquals', { StringNotEquals: { 'kms:EncryptionContext:purpose': 'backup' } }, false],
    ['StringNotLike', { StringNotLike: { 'kms:EncryptionContext:purpose': 'x*' } }, true],
    ['absent key fails a positive operator', { StringEquals: { 'kms:EncryptionContext:owner': 'me' } }, false],
    ['absent key passes a Not operator', { StringNotEquals: { 'kms:EncryptionContext:owner': 'me' } }, true],
    ['IfExists passes an absent key', { StringEqualsIfExists: { 'kms:RequestAlias': 'alias/x' } }, true],
    ['IfExists tests a present key', { StringEqualsIfExists: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } }, false],
    ['Null true: absent', { Null: { 'kms:ViaService': 'true' } }, true],
    ['Null false: present', { Null: { 'kms:EncryptionContext:purpose': 'false' } }, true],
    ['Null true on a present key', { Null: { 'kms:EncryptionContext:purpose': 'true' } }, false],
    ['Bool', { Bool: { 'aws:SecureTransport': 'false' } }, true],
    ['Bool as JSON boolean', { Bool: { 'aws:SecureTransport': true } }, false],
    ['ForAllValues within a set', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'team', 'x'] } }, true],
    ['ForAllValues outside a set', { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose'] } }, false],
    ['ForAnyValue', { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'team' } }, true],
    ['ForAnyValue on an absent key', { 'ForAnyValue:StringEquals': { 'kms:RequestAlias': 'alias/x' } }, false],
    ['IpAddress in the network', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, true],
    ['IpAddress outside it', { IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }, false],
    ['NotIpAddress', { NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }, true],
    ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, true],
    ['DateGreaterThan', { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' } }, false],
    ['NumericLessThan over a non-number is false', { NumericLessThan: { 'aws:CurrentTime': '5' } }, false],
    ['ArnLike', { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/*` } }, true],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/bob` } }, false],
    ['every operator must hold', {
      StringEquals: { 'kms:EncryptionContext:purpose': 'backup' }, Bool: { 'aws:SecureTransport': 'true' },
    }, false],
  ];
  for (const [name, condition, holds] of cases) {
    test(name, () => {
      assert.equal(decision([allow({ Condition: condition })]), holds ? 'allow' : 'implicitDeny');
      assert.equal(decision([allow(), allow({ Effect: 'Deny', Condition: condition })]), holds ? 'explicitDeny' : 'allow');
    });
  }

  test('an unknown key: an Allow does not apply, a Deny does (fail closed)', () => {
    for (const condition of [
      { StringEquals: { 'aws:PrincipalTag/team': 'x' } },
      { StringEquals: { 'kms:GrantOperations': 'Decrypt' } },
      { StringEquals: { 'kms:EncryptionContext:purpose': 'backup', 'aws:PrincipalTag/team': 'x' } },
    ]) {
      assert.equal(decision([allow({ Condition: condition })]), 'implicitDeny');
      assert.equal(decision([allow(), allow({ Effect: 'Deny', Condition: condition })]), 'explicitDeny');
    }
  });
});

describe('a key the request gives two readings of (kms:EncryptionContext:dept from "dept" and "DEPT")', () => {
  // Each row: the condition, whether a Deny with it applies, whether an Allow with it applies. A Deny applies
  // when any reading meets the condition, an Allow only when every reading does (issue 12, finding 3).
  const cases: [string, Record<string, unknown>, boolean, boolean][] = [
    ['StringEquals one reading', { StringEquals: { 'kms:EncryptionContext:dept': 'secret' } }, true, false],
    ['StringEquals both readings', { StringEquals: { 'kms:EncryptionContext:dept': ['secret', 'x'] } }, true, true],
    ['StringNotEquals one reading', { StringNotEquals: { 'kms:EncryptionContext:dept': 'public' } }, true, true],
    ['StringNotEquals naming one', { StringNotEquals: { 'kms:EncryptionContext:dept': 'x' } }, true, false],
    ['StringNotEquals naming both', { StringNotEquals: { 'kms:EncryptionContext:dept': ['x', 'secret'] } }, false, false],
    ['StringLike', { StringLike: { 'kms:EncryptionContext:dept': 'sec*' } }, true, false],
    ['StringNotLike', { StringNotLike: { 'kms:EncryptionContext:dept': 'sec*' } }, true, false],
    ['ForAnyValue:StringEquals', { 'ForAnyValue:StringEquals': { 'kms:EncryptionContext:dept': 'secret' } }, true, false],
    ['ForAllValues:StringEquals', { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:dept': 'secret' } }, true, false],
    ['ForAllValues:StringNotEquals', { 'ForAllValues:StringNotEquals': { 'kms:EncryptionContext:dept': 'secret' } }, true, false],
    ['StringEqualsIfExists', { StringEqualsIfExists: { 'kms:EncryptionContext:dept': 'secret' } }, true, false],
    ['Null false', { Null: { 'kms:EncryptionContext:dept': 'false' } }, true, true],
  ];
  for (const [name, condition, denies, allows] of cases) {
    test(name, () => {
      assert.equal(decision([allow(), allow({ Effect: 'Deny', Condition: condition })]), denies ? 'explicitDeny' : 'allow');
      assert.equal(decision([allow({ Condition: condition })]), allows ? 'allow' : 'implicitDeny');
    });
  }
});
