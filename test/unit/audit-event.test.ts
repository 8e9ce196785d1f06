/**
 * The audit event's text (src/audit/event.ts), written by hand from its parts rather than stringified from an
 * object: it must be the JSON CloudTrail readers expect, members in CloudTrail's order, undefined ones left out,
 * every string escaped exactly as JSON.stringify escapes it, and nothing secret in it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { requestRecord, type AuditInput } from '../../src/audit/event.js';
import { jsonMember, jsonString } from '../../src/util/json-text.js';

const A = '111122223333';
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const bench = { principalArn: `arn:aws:iam::${A}:user/bench`, identityArn: `arn:aws:iam::${A}:user/bench`, accountId: A, accessKeyId: 'AKIAIOSFODNN7EXAMPLE', region: 'us-east-1' };
const TIME = new Date(Date.UTC(2026, 11, 6, 21, 40, 5, 123));

const encrypt: AuditInput = {
  requestId: 'c0ffee00-0000-4000-8000-000000000001', operation: 'Encrypt', caller: bench, triedAccessKeyId: undefined,
  input: { KeyId: KEY_ID, Plaintext: Buffer.from('the plaintext'), EncryptionContext: { purpose: 'test' } },
  resources: [{ accountId: A, region: 'us-east-1', keyId: KEY_ID }], errorCode: undefined, errorMessage: undefined,
  sourceIp: '127.0.0.1', userAgent: 'aws-cli/1.36.0', time: TIME,
};

describe('jsonString', () => {
  test('is JSON.stringify exactly, whatever the string holds', () => {
    const every = Array.from({ length: 0x80 }, (_, c) => String.fromCharCode(c));
    const samples = [...every, every.join(''), '', 'plain text', 'say "hi"', 'back\\slash', 'tab\tnew\nline', '\u2028\u2029',
      'é ü 中文', '😀 pair', '\ud83d lone high', 'lone low \ude00', '\udfff\ud800', 'x'.repeat(5000)];
    for (const s of samples) assert.equal(jsonString(s), JSON.stringify(s), `for ${JSON.stringify(s)}`);
  });

  test('jsonMember leaves an undefined value out and writes numbers and booleans bare', () => {
    assert.equal(jsonMember('a', undefined), '');
    assert.equal(jsonMember('a', 'x"y'), ',"a":"x\\"y"');
    assert.equal(jsonMember('n', 1.5), ',"n":1.5');
    assert.equal(jsonMember('b', false), ',"b":false');
  });
});

describe('requestRecord', () => {
  test("writes a caller's call as CloudTrail does, its members in CloudTrail's order", () => {
    const record = requestRecord(encrypt);
    const event = JSON.parse(record.doc) as Record<string, unknown>;
    assert.equal(JSON.stringify(event), record.doc, 'the text is plain JSON: no space, no member twice');
    assert.deepEqual(Object.entries(event), Object.entries({
      eventVersion: '1.08',
      userIdentity: { type: 'IAMUser', arn: bench.principalArn, accountId: A, accessKeyId: bench.accessKeyId },
      eventTime: '2026-12-06T21:40:05.123Z',
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      userAgent: 'aws-cli/1.36.0',
      requestParameters: { keyId: KEY_ID, encryptionContext: { purpose: 'test' } },
      responseElements: null,
      requestID: encrypt.requestId,
      eventID: encrypt.requestId,
      readOnly: false,
      resources: [{ accountId: A, type: 'AWS::KMS::Key', ARN: `arn:aws:kms:us-east-1:${A}:key/${KEY_ID}` }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: A,
      eventCategory: 'Management',
    }));
    assert.ok(!record.doc.includes(Buffer.from('the plaintext').toString('base64')) && !record.doc.includes('the plaintext'));
    assert.deepEqual({ ...record, doc: undefined }, {
      eventId: encrypt.requestId, eventTime: TIME, eventName: 'Encrypt', principal: bench.principalArn,
      accessKeyId: bench.accessKeyId, errorCode: '', resources: `arn:aws:kms:us-east-1:${A}:key/${KEY_ID}`, doc: undefined,
    });
  });

  test('an unauthenticated request: the access key tried, the error, no Region or recipient', () => {
    const event = JSON.parse(requestRecord({
      ...encrypt, operation: undefined, caller: undefined, triedAccessKeyId: 'AKIATRIED', resources: [], sourceIp: undefined,
      userAgent: undefined, errorCode: 'InvalidSignatureException', errorMessage: 'The request signature we calculated does not match',
    }).doc) as Record<string, unknown>;
    assert.deepEqual(event.userIdentity, { type: 'Unknown', accessKeyId: 'AKIATRIED' });
    assert.equal(event.eventName, 'Unknown');
    assert.equal(event.requestParameters, null);
    assert.equal(event.readOnly, true);
    assert.equal(event.errorCode, 'InvalidSignatureException');
    assert.deepEqual(event.resources, []);
    for (const absent of ['awsRegion', 'sourceIPAddress', 'userAgent', 'recipientAccountId', 'additionalEventData']) {
      assert.ok(!(absent in event), `${absent} is left out`);
    }
  });

  test('strings a caller chose come back as sent, escaped as JSON.stringify escapes them; the query services name themselves', () => {
    const hostile = 'ua "quoted" \\ back\nline \u0001 \ud800 ☃';
    for (const [service, operation, input, parameters] of [
      ['iam', 'CreateUser', { UserName: hostile }, { userName: hostile }],
      ['sts', 'AssumeRole', { RoleArn: `arn:aws:iam::${A}:role/app`, RoleSessionName: hostile }, { roleArn: `arn:aws:iam::${A}:role/app`, roleSessionName: hostile }],
    ] as const) {
      const doc = requestRecord({
        ...encrypt, service, operation, input, userAgent: hostile, errorMessage: hostile, errorCode: 'EntityAlreadyExists',
        externalCalls: [{ customKeyStoreId: 'cks-1', operation: 'Encrypt', latencyMs: 2.5, outcome: 'ok' }],
      }).doc;
      const event = JSON.parse(doc) as Record<string, unknown>;
      assert.equal(JSON.stringify(event), doc, 'every string escaped exactly as JSON.stringify escapes it');
      assert.equal(event.eventSource, `${service}.amazonaws.com`);
      assert.equal(event.userAgent, hostile);
      assert.equal(event.errorMessage, hostile);
      assert.deepEqual(event.requestParameters, parameters);
      assert.deepEqual(event.additionalEventData, { customKeyStoreCalls: [{ customKeyStoreId: 'cks-1', operation: 'Encrypt', latencyMs: 2.5, outcome: 'ok' }] });
    }
  });

  test('leaves out the value of the tag that carries key material', () => {
    const doc = requestRecord({
      ...encrypt, operation: 'CreateKey', input: { Tags: [{ TagKey: '_custom_key_material_', TagValue: 'c2VjcmV0LW1hdGVyaWFs' }] },
    }).doc;
    assert.ok(!doc.includes('c2VjcmV0LW1hdGVyaWFs'));
    assert.deepEqual((JSON.parse(doc) as { requestParameters: unknown }).requestParameters, { tags: [{ tagKey: '_custom_key_material_' }] });
  });
});
