/**
 * The key policy grammar (src/policy/document.ts): what CreateKey and PutKeyPolicy accept, and
 * MalformedPolicyDocumentException with its message for everything else (issue 12, finding 5: a Condition of
 * null bricked the key, and one of [], 0 or true made a conditional Allow unconditional).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KmsError } from '../../src/model/errors.js';
import { defaultKeyPolicy, parsePolicy } from '../../src/policy/document.js';

const ROOT = 'arn:aws:iam::111122223333:root';
const base = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function refusal(text: string): string {
  try {
    parsePolicy(text);
  } catch (e) {
    assert.ok(e instanceof KmsError);
    assert.equal(e.name, 'MalformedPolicyDocumentException');
    return e.message;
  }
  assert.fail(`accepted ${text}`);
}

describe('accepted', () => {
  const cases: [string, string][] = [
    ['the default policy', defaultKeyPolicy('aws', '111122223333')],
    ['Statement as one object, no Version', JSON.stringify({ Statement: base })],
    ['Id and Sid', JSON.stringify({ Id: 'key-policy', Statement: [{ Sid: 'Allow admins', ...base }, { Sid: 'Also', ...base }, base, base] })],
    ['Principal "*"', policy({ ...base, Principal: '*' })],
    ['NotPrincipal', policy(base, { ...base, Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: [ROOT, '444455556666'] } })],
    ['AWS "*", users, roles, sessions', policy({ ...base, Principal: { AWS: ['*', 'arn:aws:iam::111122223333:user/a/b', 'arn:aws:iam::111122223333:role/r', 'arn:aws:sts::111122223333:assumed-role/r/s'] } })],
    ['a service principal', policy(base, { ...base, Principal: { Service: 'logs.us-east-1.amazonaws.com' } })],
    ['AWS and Service together', policy({ ...base, Principal: { AWS: ROOT, Service: ['cloudtrail.amazonaws.com'] } })],
    ['NotAction, NotResource', policy(base, { ...base, Action: undefined, NotAction: ['kms:Decrypt'], Resource: undefined, NotResource: 'arn:aws:kms:*:*:key/*' })],
    ['no Action nor Resource (AWS accepts it; it does nothing)', policy(base, { Effect: 'Deny', Principal: '*' })],
    ['an empty Condition', policy({ ...base, Condition: {} })],
    ['conditions of every kind', policy({
      ...base,
      Condition: {
        StringEquals: { 'kms:EncryptionContext:dept': ['a', 'b'], 'kms:CallerAccount': '111122223333' },
        'ForAnyValue:StringLike': { 'kms:EncryptionContextKeys': 'team*' },
        'ForAllValues:StringEqualsIgnoreCase': { 'kms:EncryptionContextKeys': ['x'] },
        StringEqualsIfExists: { 'kms:RequestAlias': 'alias/x' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
        DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' },
        Bool: { 'aws:SecureTransport': true },
        Null: { 'kms:ViaService': 'true' },
        IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32', '192.0.2.1'] },
        ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin' },
        // A key Trent does not know is accepted (AWS accepts any), and fails closed when evaluated.
        StringNotEquals: { 'aws:PrincipalTag/team': 'x' },
      },
    })],
  ];
  for (const [name, text] of cases) test(name, () => assert.doesNotThrow(() => parsePolicy(text)));
});

describe('refused as MalformedPolicyDocumentException', () => {
  const invalidPrincipals = 'Policy contains a statement with one or more invalid principals.';
  const cases: [string, string, string | RegExp][] = [
    ['not JSON', '{', 'The policy document is not valid JSON.'],
    ['not an object', '[]', 'The policy document must be a JSON object.'],
    ['an unknown element', JSON.stringify({ Statement: base, Statements: [] }), 'Policy contains an unknown element: Statements.'],
    ['a bad Version', JSON.stringify({ Version: '2020-01-01', Statement: base }), 'Invalid policy version: 2020-01-01'],
    ['Id not a string', JSON.stringify({ Id: 7, Statement: base }), 'Policy has an invalid Id.'],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'Policy is missing required element - Statement'],
    ['an empty Statement list', policy(), 'Policy is missing required element - Statement'],
    ['a statement not an object', JSON.stringify({ Statement: ['x'] }), 'Policy contains an invalid statement.'],
    ['a misspelt Condition', policy({ ...base, Conditions: { Bool: { 'aws:SecureTransport': 'true' } } }),
      'Policy contains a statement with an unknown element: Conditions.'],
    ['Sid not a string', policy({ ...base, Sid: 1 }), 'Policy contains a statement with an invalid Sid.'],
    ['a Sid twice', policy({ ...base, Sid: 'admin' }, { ...base, Sid: 'admin' }), 'Policy contains more than one statement with the Sid admin.'],
    ['Effect in lower case', policy({ ...base, Effect: 'allow' }), 'Policy contains a statement with an invalid Effect.'],
    ['no principal', policy({ ...base, Principal: undefined }), 'Policy contains a statement with no principal.'],
    ['Principal and NotPrincipal', policy({ ...base, NotPrincipal: '*' }), 'Policy contains a statement with both Principal and NotPrincipal.'],
    ['Principal null', policy({ ...base, Principal: null }), invalidPrincipals],
    ['Principal a bare string', policy({ ...base, Principal: ROOT }), invalidPrincipals],
    ['Principal {}', policy({ ...base, Principal: {} }), invalidPrincipals],
    ['Principal AWS []', policy({ ...base, Principal: { AWS: [] } }), invalidPrincipals],
    ['Principal AWS a number', policy({ ...base, Principal: { AWS: 111122223333 } }), invalidPrincipals],
    ['Principal AWS not an ARN', policy({ ...base, Principal: { AWS: 'alice' } }), invalidPrincipals],
    ['Principal of an unknown kind', policy({ ...base, Principal: { Federated: 'cognito-identity.amazonaws.com' } }), invalidPrincipals],
    ['Action and NotAction', policy({ ...base, NotAction: 'kms:Decrypt' }), 'Policy contains a statement with both Action and NotAction.'],
    ['Action a number', policy({ ...base, Action: 1 }), 'Policy contains a statement with an invalid Action.'],
    ['Action []', policy({ ...base, Action: [] }), 'Policy contains a statement with an invalid Action.'],
    ['Action without a service', policy({ ...base, Action: 'Encrypt' }), 'Policy contains a statement with an invalid Action.'],
    ['Resource not an ARN', policy({ ...base, Resource: 'key/1' }), 'Policy contains a statement with an invalid Resource.'],
    ['NotResource [null]', policy({ ...base, Resource: undefined, NotResource: [null] }), 'Policy contains a statement with an invalid NotResource.'],
    ...([null, [], 0, true, 'x'] as unknown[]).map((condition): [string, string, string] => [`Condition ${JSON.stringify(condition)}`,
      policy({ ...base, Condition: condition }), 'Policy contains a statement with an invalid Condition: it must be an object of condition operators.']),
    ['an unknown operator', policy({ ...base, Condition: { StringEqualz: { 'kms:CallerAccount': 'x' } } }),
      'Policy contains a statement with an invalid Condition: unknown condition operator StringEqualz.'],
    ['an unknown qualifier', policy({ ...base, Condition: { 'ForSomeValues:StringEquals': { 'kms:CallerAccount': 'x' } } }),
      /unknown condition operator ForSomeValues:StringEquals\.$/],
    ['Null with IfExists', policy({ ...base, Condition: { NullIfExists: { 'kms:ViaService': 'true' } } }), /unknown condition operator NullIfExists\.$/],
    ['an operator over null', policy({ ...base, Condition: { StringEquals: null } }),
      'Policy contains a statement with an invalid Condition: StringEquals must map condition keys to values.'],
    ['an operator over no key', policy({ ...base, Condition: { StringEquals: {} } }), /StringEquals must map condition keys to values\.$/],
    ['an operator over a list', policy({ ...base, Condition: { StringEquals: ['kms:CallerAccount'] } }), /StringEquals must map/],
    ['a key without a service', policy({ ...base, Condition: { StringEquals: { CallerAccount: 'x' } } }),
      'Policy contains a statement with an invalid Condition: invalid condition key CallerAccount.'],
    ...([null, [], {}, [null], [[]]] as unknown[]).map((value): [string, string, string] => [`a value ${JSON.stringify(value)}`,
      policy({ ...base, Condition: { StringEquals: { 'kms:CallerAccount': value } } }),
      'Policy contains a statement with an invalid Condition: invalid value for StringEquals kms:CallerAccount.']),
    ['Bool yes', policy({ ...base, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }), /invalid value for Bool aws:SecureTransport\.$/],
    ['Null 1', policy({ ...base, Condition: { Null: { 'kms:ViaService': 1 } } }), /invalid value for Null kms:ViaService\.$/],
    ['Numeric over a word', policy({ ...base, Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': 'ten' } } }), /invalid value for NumericLessThan/],
    ['Date over a word', policy({ ...base, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }), /invalid value for DateLessThan/],
    ['IpAddress over a bad prefix', policy({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }), /invalid value for IpAddress/],
  ];
  for (const [name, text, message] of cases) {
    test(name, () => {
      const got = refusal(text);
      if (typeof message === 'string') assert.equal(got, message);
      else assert.match(got, message);
    });
  }
});
