import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_QUOTAS, parseQuotas, quotaOfRequest } from '../../src/ops/quotas/settings.js';
import { awsDefaultRate } from '../../src/ops/quotas/request-rates.js';

describe('quota settings (--quota / TRENT_QUOTAS)', () => {
  test('resource quotas default to AWS values; request rates are off', () => {
    assert.deepEqual(parseQuotas(''), DEFAULT_QUOTAS);
    assert.equal(DEFAULT_QUOTAS.keysPerRegion, 100_000);
    assert.equal(DEFAULT_QUOTAS.aliasesPerKey, 50);
    assert.equal(DEFAULT_QUOTAS.rates.awsDefaults, false);
    assert.equal(DEFAULT_QUOTAS.rates.perSecond.size, 0);
  });

  test('each name given replaces its default', () => {
    const q = parseQuotas(' keys-per-region=10, aliases-per-key=0,encryption-context-bytes=1024,rates=aws,rate.CreateKey=2.5,'
      + 'rate.symmetric=100,rate.data-key-pair.RSA_4096=0.1');
    assert.equal(q.keysPerRegion, 10);
    assert.equal(q.aliasesPerKey, 0);
    assert.equal(q.encryptionContextBytes, 1024);
    assert.equal(q.rates.awsDefaults, true);
    assert.deepEqual([...q.rates.perSecond], [['CreateKey', 2.5], ['symmetric', 100], ['data-key-pair.RSA_4096', 0.1]]);
  });

  test('unknown names and bad values are refused at start', () => {
    for (const bad of ['keys=5', 'keys-per-region=-1', 'keys-per-region=1.5', 'keys-per-region=', 'rates=yes',
      'rate.Encrypt=5', 'rate.GenerateDataKeyPair=5', 'rate.data-key-pair.RSA_1024=1', 'rate.CreateKey=0',
      'rate.CreateKey=abc', 'rate.Nope=1']) {
      assert.throws(() => parseQuotas(bad), /invalid quota/, bad);
    }
  });
});

describe('request-rate quotas: which one a request counts against, and AWS defaults', () => {
  test('operations with a quota of their own, GenerateRandom and GenerateDataKeyPair at dispatch; key-typed ones by key', () => {
    assert.equal(quotaOfRequest('CreateKey', {}), 'CreateKey');
    assert.equal(quotaOfRequest('GenerateRandom', {}), 'symmetric');
    assert.equal(quotaOfRequest('GenerateDataKeyPairWithoutPlaintext', { KeyPairSpec: 'RSA_3072' }), 'data-key-pair.RSA_3072');
    for (const op of ['Encrypt', 'Decrypt', 'ReEncrypt', 'Sign', 'Verify', 'GenerateMac', 'GenerateDataKey'] as const) {
      assert.equal(quotaOfRequest(op, {}), undefined, op);
    }
  });

  test('AWS defaults vary with the Region where AWS says so', () => {
    assert.equal(awsDefaultRate('symmetric', 'us-east-1'), 100_000);
    assert.equal(awsDefaultRate('symmetric', 'eu-central-1'), 20_000);
    assert.equal(awsDefaultRate('symmetric', 'sa-east-1'), 10_000);
    assert.equal(awsDefaultRate('rsa', 'us-east-1'), 1_000);
    assert.equal(awsDefaultRate('data-key-pair.RSA_4096', 'us-east-1'), 1);
    assert.equal(awsDefaultRate('data-key-pair.RSA_4096', 'cn-north-1'), 0.1);
    assert.equal(awsDefaultRate('CreateKey', 'us-east-1'), 5);
    assert.equal(awsDefaultRate('DescribeKey', 'us-east-1'), 2_000);
  });
});
