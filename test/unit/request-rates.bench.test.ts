/**
 * Micro-measure of what the request-rate quotas add to a data-plane request: the charges an Encrypt makes
 * (at dispatch, and for its key in the resolver), with no rate configured, and with every AWS rate on and
 * the symmetric one too high to throttle (a bucket hit each time). Prints ns per request, asserts nothing. Skipped unless RATES_BENCH=1.
 */
import { test } from 'node:test';
import type { Deps } from '../../src/ops/context.js';
import { chargeKeyUse, chargeRequest, RequestRates } from '../../src/ops/quotas/request-rates.js';
import { parseQuotas } from '../../src/ops/quotas/settings.js';
import type { KeyRecord } from '../../src/store/types.js';
import { nsPerCall } from '../support/micro-bench.js';
import { testContext } from '../support/op-context.js';

const KEY: KeyRecord = {
  accountId: '111122223333', region: 'us-east-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', createdAt: new Date(0),
  description: '', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled',
  multiRegion: false, policy: '{}',
};

/** One Encrypt's charges, on a fresh context as each request has. */
function encryptCharges(deps: Deps): () => void {
  const caller = { accountId: KEY.accountId, region: KEY.region, accessKeyId: 'test', principalArn: 'arn:aws:iam::111122223333:root' };
  return () => {
    const ctx = testContext(deps, { caller });
    chargeRequest(ctx, 'Encrypt');
    chargeKeyUse(ctx, 'Encrypt', KEY);
  };
}

test('request-rate charges per Encrypt', { skip: process.env.RATES_BENCH !== '1' }, () => {
  const depsWith = (quotas: string) => ({ rates: new RequestRates(parseQuotas(quotas).rates, 1 / 2) }) as unknown as Deps;
  const baseline = nsPerCall(encryptCharges({ rates: { enabled: false } } as unknown as Deps));
  const off = nsPerCall(encryptCharges(depsWith('')));
  const aws = nsPerCall(encryptCharges(depsWith('rates=aws,rate.symmetric=1000000000')));
  const accounts = new RequestRates(parseQuotas('rate.symmetric=1000000000').rates, 1 / 2);
  let i = 0;
  const callers = Array.from({ length: 5000 }, (_, n) =>
    ({ accountId: String(100_000_000_000 + n), region: 'us-east-1', accessKeyId: 't', principalArn: '' }));
  const manyAccounts = nsPerCall(() => accounts.charge(callers[i++ % 5000]!, 'symmetric', Date.now()));
  console.log(`context alone: ${baseline.toFixed(0)} ns; rates off: ${off.toFixed(0)} ns; rates=aws: ${aws.toFixed(0)} ns `
    + `per Encrypt; one charge over 5,000 accounts' buckets: ${manyAccounts.toFixed(0)} ns`);
});
