/**
 * A key whose stored policy no longer passes the policy grammar (stored before Trent checked all of it, e.g. with
 * `"Condition": null`) is refused to everyone with AccessDeniedException: authorization fails closed, never
 * with an internal error (issue 12, finding 5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KmsError } from '../../src/model/errors.js';
import { authorize } from '../../src/ops/authorize.js';
import type { KeyRecord } from '../../src/store/types.js';
import { testContext } from '../support/op-context.js';

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;

function keyWith(policy: string): KeyRecord {
  return {
    accountId: ACCOUNT, region: REGION, keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', createdAt: new Date(0), description: '',
    keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', multiRegion: false, policy,
  };
}

const ctx = testContext({}, {
  caller: { accountId: ACCOUNT, region: REGION, accessKeyId: 'AKIAEXAMPLE', principalArn: `arn:aws:iam::${ACCOUNT}:user/admin` },
  sourceIp: '127.0.0.1',
});
/** No grants: when the policy does not allow, authorization asks the key's grants next. */
const noGrants = {
  listGrants: async () => [], listTags: async () => [], listAliases: async () => [], getIdentity: async () => undefined, listInlinePolicies: async () => [],
};

test('a stored policy that is now malformed denies every action, as AccessDeniedException', async () => {
  const statement = { Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' };
  for (const stored of [
    { Statement: [{ ...statement, Condition: null }] },
    { Statement: [{ ...statement, Condition: [] }] },
    { Statement: [{ ...statement, Condition: { StringEqualz: { 'kms:CallerAccount': ACCOUNT } } }] },
    { Statement: [{ ...statement, Principal: null }] },
  ]) {
    for (const action of ['kms:Encrypt', 'kms:PutKeyPolicy']) {
      await assert.rejects(authorize(ctx, { key: keyWith(JSON.stringify(stored)), action }, noGrants), (e: unknown) => {
        assert.ok(e instanceof KmsError, String(e));
        assert.equal(e.name, 'AccessDeniedException');
        return true;
      }, JSON.stringify(stored));
    }
  }
  // The same statement, well formed, allows.
  await authorize(ctx, { key: keyWith(JSON.stringify({ Statement: [statement] })), action: 'kms:Encrypt' }, noGrants);
});
