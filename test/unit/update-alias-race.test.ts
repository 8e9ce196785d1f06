/**
 * UpdateAlias when the alias's current key is deleted between reading the alias and locking the key (a
 * concurrent ScheduleKeyDeletion reaching its end, which deletes the key's aliases with it): the alias is gone,
 * so the answer is AWS's NotFoundException for it, not an internal error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KmsError } from '../../src/model/errors.js';
import type { Deps } from '../../src/ops/context.js';
import { updateAlias } from '../../src/ops/aliases/update-alias.js';
import { RequestRates } from '../../src/ops/quotas/request-rates.js';
import { DEFAULT_QUOTAS } from '../../src/ops/quotas/settings.js';
import type { AliasRecord, KeyRecord, KeyRef, Store, StoreOps } from '../../src/store/types.js';
import { testContext } from '../support/op-context.js';

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
const TARGET = '1234abcd-12ab-34cd-56ef-1234567890ab';
const DELETED = '0987dcba-09fe-87dc-65ba-ab0987654321';

const target: KeyRecord = {
  accountId: ACCOUNT, region: REGION, keyId: TARGET, createdAt: new Date(0), description: '', keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', multiRegion: false, policy: '{}',
};

test('UpdateAlias whose current key vanished under it answers NotFoundException for the alias', async () => {
  const alias: AliasRecord = {
    accountId: ACCOUNT, region: REGION, aliasName: 'alias/racing', targetKeyId: DELETED, createdAt: new Date(0), updatedAt: new Date(0),
  };
  const reads: Partial<StoreOps> = {
    getAlias: async () => ({ ...alias }),
    getKey: async (ref: KeyRef) => (ref.keyId === TARGET ? target : undefined),
    lockKey: async (ref: KeyRef) => (ref.keyId === TARGET ? target : undefined),
    listAliases: async () => [],
    updateAlias: async () => assert.fail('the alias must not be written'),
  };
  const transaction = async <T>(fn: (tx: StoreOps) => Promise<T>) => fn(reads as StoreOps);
  const store = { ...reads, transaction } as unknown as Store;
  const ctx = testContext({
    store, settings: { posture: 'dev', sm2Everywhere: false, enforceKeyPolicies: false },
    quotas: DEFAULT_QUOTAS, rates: new RequestRates(DEFAULT_QUOTAS.rates, 1),
  } as unknown as Deps, { caller: { accountId: ACCOUNT, region: REGION, accessKeyId: 'test', principalArn: `arn:aws:iam::${ACCOUNT}:root` }, transaction });
  await assert.rejects(updateAlias({ AliasName: 'alias/racing', TargetKeyId: TARGET }, ctx), (e: unknown) => {
    assert.ok(e instanceof KmsError);
    assert.equal(e.name, 'NotFoundException');
    assert.equal(e.message, `Alias arn:aws:kms:${REGION}:${ACCOUNT}:alias/racing is not found.`);
    return true;
  });
});
