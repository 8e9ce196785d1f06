/**
 * CreateKey at the keys-per-region quota is refused before any key material is made: an account at its quota
 * must not drain the RSA pool (or spend a second of CPU per RSA_4096 key) on CreateKeys that will be refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deps } from '../../src/ops/context.js';
import { createKey } from '../../src/ops/keys/create-key.js';
import { RequestRates } from '../../src/ops/quotas/request-rates.js';
import { DEFAULT_QUOTAS } from '../../src/ops/quotas/settings.js';
import type { Store } from '../../src/store/types.js';
import { testContext } from '../support/op-context.js';

const ACCOUNT = '111122223333';

test('CreateKey at the keys-per-region quota takes no secret and opens no transaction', async () => {
  const store = {
    countKeys: async () => 3,
    transaction: async () => assert.fail('no transaction for a refused CreateKey'),
  } as unknown as Store;
  const pool = { secretFor: async () => assert.fail('no material for a refused CreateKey') };
  const ctx = testContext({
    store, pool, settings: { posture: 'dev', sm2Everywhere: false, enforceKeyPolicies: false },
    quotas: { ...DEFAULT_QUOTAS, keysPerRegion: 3 }, rates: new RequestRates(DEFAULT_QUOTAS.rates, 1),
  } as unknown as Deps);
  await assert.rejects(createKey({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }, ctx), {
    name: 'LimitExceededException', message: 'Key quota for this account in this region is 3 but the current usage is 3.',
  });
});
