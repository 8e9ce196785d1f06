import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Caller } from '../../src/model/caller.js';
import type { Deps } from '../../src/ops/context.js';
import { chargeKeyUse, RequestRates } from '../../src/ops/quotas/request-rates.js';
import { parseQuotas } from '../../src/ops/quotas/settings.js';
import type { KeyRecord } from '../../src/store/types.js';
import type { RateQuota, RateSettings } from '../../src/ops/quotas/settings.js';
import { throws } from '../support/kms.js';
import { testContext } from '../support/op-context.js';

const caller = (accountId = '111122223333', region = 'us-west-2'): Caller =>
  ({ accountId, region, accessKeyId: 'test', principalArn: `arn:aws:iam::${accountId}:root` });

/** A limiter on a clock the test moves. */
function rates(perSecond: Record<string, number>, share = 1, awsDefaults = false) {
  let now = 1_700_000_000_000;
  const limiter = new RequestRates({ awsDefaults, perSecond: new Map(Object.entries(perSecond)) as RateSettings['perSecond'] }, share);
  return {
    limiter,
    advance: (ms: number) => { now += ms; },
    charge: (who: Caller, quota: RateQuota) => limiter.charge(who, quota, now),
  };
}

type Rates = ReturnType<typeof rates>;

/** How many of `n` charges pass. */
function passes(limiter: Rates, n: number, quota: RateQuota, who = caller()): number {
  let passed = 0;
  for (let i = 0; i < n; i++) {
    try {
      limiter.charge(who, quota);
      passed++;
    } catch {
      // throttled
    }
  }
  return passed;
}

describe('request-rate token buckets', () => {
  test('a second of the rate at once, then the rate; the refusal is AWS ThrottlingException', () => {
    const limiter = rates({ CreateKey: 5 });
    const { advance } = limiter;
    assert.equal(passes(limiter, 10, 'CreateKey'), 5);
    throws(() => limiter.charge(caller(), 'CreateKey'), 'ThrottlingException',
      'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    advance(200);
    assert.equal(passes(limiter, 10, 'CreateKey'), 1);
    advance(10_000);
    assert.equal(passes(limiter, 10, 'CreateKey'), 5, 'a bucket holds one second of its rate, no more');
  });

  test('each worker enforces its share, at least one request at a time', () => {
    const half = rates({ CreateKey: 5 }, 1 / 2);
    assert.equal(passes(half, 10, 'CreateKey'), 2);
    half.advance(1000);
    assert.equal(passes(half, 10, 'CreateKey'), 2);
    // RSA_4096 key pairs at 1 per second over two workers: one every two seconds each.
    const slow = rates({ 'data-key-pair.RSA_4096': 1 }, 1 / 2);
    assert.equal(passes(slow, 3, 'data-key-pair.RSA_4096'), 1);
    slow.advance(1000);
    assert.equal(passes(slow, 3, 'data-key-pair.RSA_4096'), 0);
    slow.advance(1000);
    assert.equal(passes(slow, 3, 'data-key-pair.RSA_4096'), 1);
  });

  test('accounts, Regions and quotas have buckets of their own; unconfigured quotas are unlimited', () => {
    const limiter = rates({ CreateKey: 1, symmetric: 2 });
    assert.equal(passes(limiter, 3, 'CreateKey'), 1);
    assert.equal(passes(limiter, 3, 'symmetric'), 2);
    assert.equal(passes(limiter, 3, 'CreateKey', caller('444455556666')), 1);
    assert.equal(passes(limiter, 3, 'CreateKey', caller(undefined, 'eu-west-1')), 1);
    assert.equal(passes(limiter, 100, 'rsa'), 100);
    assert.equal(rates({}).limiter.enabled, false);
  });

  test('rates=aws applies AWS defaults by Region; an explicit rate wins', () => {
    const limiter = rates({ DescribeKey: 3 }, 1, true);
    assert.equal(passes(limiter, 10, 'CreateKey'), 5);
    assert.equal(passes(limiter, 10, 'DescribeKey'), 3);
    assert.equal(passes(limiter, 2000, 'rsa'), 1000);
  });

  test('idle buckets are dropped once there are many, so a flood of accounts cannot grow memory without bound', () => {
    const limiter = rates({ CreateKey: 5 });
    for (let i = 0; i < RequestRates.SWEEP_AT; i++) limiter.charge(caller(String(100000000000 + i)), 'CreateKey');
    assert.equal(limiter.limiter.size, RequestRates.SWEEP_AT);
    // Each spent one of 5 tokens, back in 200 ms.
    limiter.advance(100);
    limiter.charge(caller('999999999999'), 'CreateKey');
    assert.equal(limiter.limiter.size, RequestRates.SWEEP_AT + 1, 'none is full yet');
    limiter.advance(100);
    limiter.charge(caller('999999999998'), 'CreateKey');
    assert.equal(limiter.limiter.size, 2, 'the 10,000 full ones are gone');
  });

  test('a clock that moves back (a dev clock reset) neither refills nor drains', () => {
    const limiter = rates({ CreateKey: 2 });
    assert.equal(passes(limiter, 3, 'CreateKey'), 2);
    limiter.advance(-60_000);
    assert.equal(passes(limiter, 3, 'CreateKey'), 0);
    limiter.advance(500);
    assert.equal(passes(limiter, 3, 'CreateKey'), 1);
  });

  test('a request using two keys counts once per key type (ReEncrypt); only the shared cryptographic operations count by key', () => {
    const key = (keySpec: KeyRecord['keySpec']) => ({ keySpec }) as KeyRecord;
    const deps = { rates: new RequestRates(parseQuotas('rate.symmetric=2,rate.rsa=1').rates, 1) } as unknown as Deps;
    const context = () => testContext(deps, { caller: caller(), now: new Date(1_700_000_000_000) });
    const reEncrypt = context();
    chargeKeyUse(reEncrypt, 'ReEncrypt', key('SYMMETRIC_DEFAULT'));
    chargeKeyUse(reEncrypt, 'ReEncrypt', key('SYMMETRIC_DEFAULT'));
    chargeKeyUse(reEncrypt, 'ReEncrypt', key('RSA_2048'));
    assert.deepEqual(reEncrypt.ratesCharged, ['symmetric', 'rsa']);
    // One symmetric token left of 2, none of RSA's 1.
    chargeKeyUse(context(), 'GenerateMac', key('HMAC_256'));
    throws(() => chargeKeyUse(context(), 'Decrypt', key('SYMMETRIC_DEFAULT')), 'ThrottlingException');
    throws(() => chargeKeyUse(context(), 'Sign', key('RSA_4096')), 'ThrottlingException');
    // DescribeKey is charged at dispatch, by its own quota: never by the key it reads.
    chargeKeyUse(context(), 'DescribeKey', key('SYMMETRIC_DEFAULT'));
  });
});
