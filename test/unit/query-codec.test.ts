import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caller } from '../../src/model/caller.js';
import { KmsError } from '../../src/model/errors.js';
import { IAM_MODEL } from '../../src/model/iam.gen.js';
import { QueryError } from '../../src/model/query-errors.js';
import { decodeQueryInput, readParams } from '../../src/protocol/query/decode.js';
import { encodeQueryError, encodeQueryOutput } from '../../src/protocol/query/encode.js';
import { handleQueryRequest, type QueryHooks } from '../../src/protocol/query/pipeline.js';
import { serviceOf } from '../../src/protocol/route.js';

const form = (s: string) => readParams('/', Buffer.from(s));

function decodeFails(shape: string, body: string): QueryError {
  try {
    decodeQueryInput(IAM_MODEL, shape, form(body));
  } catch (e) {
    assert.ok(e instanceof QueryError);
    return e;
  }
  assert.fail('expected the input to be refused');
}

describe('the query protocol codec (IAM, STS)', () => {
  test('form parameters decode by the model: members, flattened lists of structures, integers, booleans', () => {
    const input = decodeQueryInput(IAM_MODEL, 'CreateUserRequest',
      form('Action=CreateUser&UserName=alice&Path=%2Fteam%2F&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.1.Key=a&Tags.member.1.Value=1'));
    assert.deepEqual(input, { Path: '/team/', UserName: 'alice', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] });
    assert.deepEqual(decodeQueryInput(IAM_MODEL, 'ListUsersRequest', form('MaxItems=5&Marker=m')), { Marker: 'm', MaxItems: 5 });
    // + is a space in form encoding; the body wins over the query string.
    assert.deepEqual(readParams('/?Action=GetUser&UserName=q', Buffer.from('UserName=a+b')), new Map([['Action', 'GetUser'], ['UserName', 'a b']]));
  });

  test('validation errors are collected and worded as AWS words them, member paths in lowerCamel', () => {
    const missing = decodeFails('CreateUserRequest', 'Path=x');
    assert.equal(missing.code, 'ValidationError');
    assert.equal(missing.status, 400);
    assert.equal(missing.message, "2 validation errors detected: Value 'x' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
      "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F); Value null at 'userName' failed to satisfy constraint: Member must not be null");
    // Enum values in the order AWS's messages list them (scripts/gen-model.mjs awsEnumOrder), not the model's.
    assert.equal(decodeFails('UpdateAccessKeyRequest', 'AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Paused').message,
      "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Inactive, Expired, Active]");
    assert.equal(decodeFails('ListUsersRequest', 'MaxItems=0').message,
      "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1");
    assert.equal(decodeFails('CreateUserRequest', `UserName=${'a'.repeat(65)}`).message,
      `1 validation error detected: Value '${'a'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`);
    assert.equal(decodeFails('CreateUserRequest', 'UserName=a&Tags.member.1.Value=v').message,
      "1 validation error detected: Value null at 'tags.1.member.key' failed to satisfy constraint: Member must not be null");
    const typed = decodeFails('ListUsersRequest', 'MaxItems=ten');
    assert.deepEqual([typed.code, typed.message], ['MalformedInput', "Value 'ten' at 'maxItems' is not an integer."]);
  });

  test('answers are XML in the service namespace, wrapped in the operation\'s result element', () => {
    const xml = encodeQueryOutput(IAM_MODEL, 'ListUsers', {
      Users: [{ Path: '/', UserName: 'a<b', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(Date.UTC(2024, 0, 31, 12, 0, 0, 123)) }],
      IsTruncated: false,
    }, 'req-1');
    assert.equal(xml, '<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>' +
      '<Users><member><Path>/</Path><UserName>a&lt;b</UserName><UserId>AIDA</UserId><Arn>arn</Arn><CreateDate>2024-01-31T12:00:00Z</CreateDate>' +
      '</member></Users><IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>' +
      '</ListUsersResponse>');
    assert.equal(encodeQueryOutput(IAM_MODEL, 'DeleteUser', {}, 'r'),
      '<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>');
  });

  test('errors are <ErrorResponse> with Type, Code and Message, at the model\'s status', () => {
    const e = new QueryError('NoSuchEntity', 'The user with name a&b cannot be found.');
    assert.equal(e.status, 404);
    assert.equal(new QueryError('DeleteConflict', '').status, 409);
    assert.equal(new QueryError('ServiceFailure', '').sender, false);
    assert.equal(encodeQueryError(IAM_MODEL, e, 'r'),
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>' +
      '<Message>The user with name a&amp;b cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>');
  });

  test('requests are routed by the credential scope\'s service before any codec reads them', () => {
    const signed = (service: string) => ({ method: 'POST', path: '/', body: Buffer.alloc(0), headers: {
      authorization: `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=00`,
    } });
    assert.equal(serviceOf(signed('iam')), 'iam');
    assert.equal(serviceOf(signed('sts')), 'sts');
    assert.equal(serviceOf(signed('kms')), 'kms');
    assert.equal(serviceOf(signed('s3')), 'kms', 'the KMS pipeline answers what nothing else routes');
    const unsigned = { method: 'POST', path: '/', body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15'),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } };
    assert.equal(serviceOf(unsigned), 'sts');
  });

  describe('the pipeline', () => {
    const caller: Caller = { accountId: '111122223333', region: 'us-east-1', accessKeyId: 'AKIA', principalArn: 'arn:aws:iam::111122223333:root' };
    const recorded: Array<{ operation: string | undefined; code: string | undefined; service: string | undefined }> = [];
    const hooks = (over: Partial<QueryHooks> = {}): QueryHooks => ({
      authenticate: async () => caller,
      invoke: async () => assert.fail('not a KMS request'),
      invokeQuery: async () => ({ UserId: 'u', Account: '111122223333', Arn: 'arn' }),
      record: async (o) => { recorded.push({ operation: o.operation, code: o.error?.code, service: o.service }); },
      onInternalError: () => undefined,
      decodeLimits: { mapBytes: {} },
      ...over,
    });
    const request = (body: string) => ({ method: 'POST', path: '/', headers: {}, body: Buffer.from(body) });
    const meta = { secureTransport: false, time: new Date(0) };

    test('routes by Action, and records each request with its service', async () => {
      const ok = await handleQueryRequest('sts', request('Action=GetCallerIdentity&Version=2011-06-15'), meta, hooks());
      assert.equal(ok.status, 200);
      assert.match(ok.body.toString(), /^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult><UserId>u<\/UserId>/);
      const unknown = await handleQueryRequest('iam', request('Action=CreateGroup&Version=2010-05-08'), meta, hooks());
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.toString(), /<Code>InvalidAction<\/Code><Message>Could not find operation CreateGroup for version 2010-05-08<\/Message>/);
      assert.deepEqual(recorded.slice(-2), [
        { operation: 'GetCallerIdentity', code: undefined, service: 'sts' },
        { operation: undefined, code: 'InvalidAction', service: 'iam' },
      ]);
    });

    test('authentication errors take the query services\' names and statuses', async () => {
      const refused = await handleQueryRequest('iam', request('Action=ListUsers'), meta, hooks({
        authenticate: async () => { throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.'); },
      }));
      assert.equal(refused.status, 403);
      assert.match(refused.body.toString(), /<Code>InvalidClientTokenId<\/Code><Message>The security token included in the request is invalid\.<\/Message>/);
      const expired = await handleQueryRequest('sts', request('Action=GetCallerIdentity'), meta, hooks({
        authenticate: async () => { throw new KmsError('ExpiredTokenException', 'The security token included in the request is expired'); },
      }));
      assert.equal(expired.status, 403);
      assert.match(expired.body.toString(), /<Code>ExpiredToken<\/Code>/);
    });

    test('a failure that is no AWS error is InternalFailure (500), and logged', async () => {
      let logged = false;
      const failed = await handleQueryRequest('sts', request('Action=GetCallerIdentity'), meta, hooks({
        invokeQuery: async () => { throw new Error('bug'); },
        onInternalError: () => { logged = true; },
      }));
      assert.equal(failed.status, 500);
      assert.match(failed.body.toString(), /<Type>Receiver<\/Type><Code>InternalFailure<\/Code>/);
      assert.ok(logged);
    });
  });
});
