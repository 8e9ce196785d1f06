import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateKeyCommand, DescribeKeyCommand, ListKeysCommand, type CreateKeyCommandInput, type KMSClient,
} from '@aws-sdk/client-kms';
import { errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('CreateKey, DescribeKey, ListKeys through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();

  const cases: Array<[string, CreateKeyCommandInput, Record<string, unknown>]> = [
    ['symmetric default', {}, { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] }],
    ['RSA_2048 encrypt', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
      { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
    ['RSA_3072 sign', { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'RSA_3072' }],
    ['P-256 sign', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['P-384 agreement', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' }, { KeyAgreementAlgorithms: ['ECDH'] }],
    ['P-521 sign', { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_512'] }],
    ['secp256k1 sign', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_256'] }],
    ['Ed25519', { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' },
      { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }],
    ['ML-DSA-44', { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }],
    ['ML-DSA-87', { KeySpec: 'ML_DSA_87', KeyUsage: 'SIGN_VERIFY' }, { CustomerMasterKeySpec: 'ML_DSA_87' }],
    ['HMAC_224', { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' }, { MacAlgorithms: ['HMAC_SHA_224'] }],
    ['HMAC_512', { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }, { MacAlgorithms: ['HMAC_SHA_512'] }],
    ['deprecated CustomerMasterKeySpec', { CustomerMasterKeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'ECC_NIST_P256' }],
    ['external origin', { Origin: 'EXTERNAL' }, { KeyState: 'PendingImport', Enabled: false, Origin: 'EXTERNAL' }],
    ['with description and tags', { Description: 'payments', Tags: [{ TagKey: 'team', TagValue: '' }] },
      { Description: 'payments' }],
  ];
  for (const [name, input, want] of cases) {
    test(`creates ${name}`, async () => {
      const { KeyMetadata: m } = await kms.send(new CreateKeyCommand(input));
      assert.ok(m);
      assert.match(m.KeyId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(m.Arn, `arn:aws:kms:us-west-2:111122223333:key/${m.KeyId}`);
      assert.equal(m.KeyManager, 'CUSTOMER');
      assert.equal(m.CustomerMasterKeySpec, m.KeySpec);
      assert.ok(Math.abs(m.CreationDate!.getTime() - Date.now()) < 60_000);
      for (const [field, value] of Object.entries(want)) assert.deepEqual((m as unknown as Record<string, unknown>)[field], value, field);
      const described = await kms.send(new DescribeKeyCommand({ KeyId: m.Arn }));
      assert.deepEqual(described.KeyMetadata, m);
    });
  }

  test('a multi-Region key gets an mrk- ID and names itself the primary', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ MultiRegion: true }));
    assert.match(m!.KeyId!, /^mrk-[0-9a-f]{32}$/);
    assert.deepEqual(m!.MultiRegionConfiguration, {
      MultiRegionKeyType: 'PRIMARY', PrimaryKey: { Arn: m!.Arn, Region: 'us-west-2' }, ReplicaKeys: [],
    });
  });

  const refusals: Array<[string, CreateKeyCommandInput, string, RegExp?]> = [
    ['HMAC without usage', { KeySpec: 'HMAC_256' }, 'ValidationException',
      /^You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys\.$/],
    ['RSA for key agreement', { KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' }, 'ValidationException',
      /^KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048$/],
    ['secp256k1 for key agreement', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'KEY_AGREEMENT' }, 'ValidationException'],
    ['symmetric for signing', { KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'SIGN_VERIFY' }, 'ValidationException'],
    ['unknown spec', { KeySpec: 'AES_512' as never }, 'ValidationException',
      /^1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/],
    ['SM2 outside China', { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' }, 'ValidationException'],
    ['malformed policy', { Policy: '{not json' }, 'MalformedPolicyDocumentException'],
    ['policy over 32 KB', { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Sid: 'x'.repeat(33_000) }] }) },
      'LimitExceededException'],
    ['a policy that locks the caller out', {
      Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'kms:*', Resource: '*' }] }),
    }, 'MalformedPolicyDocumentException', /^The new key policy will not allow you to update the key policy in the future\.$/],
    ['duplicate tags', { Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '2' }] }, 'TagException', /^Duplicate tag keys$/],
    ['aws: tag', { Tags: [{ TagKey: 'AWS:x', TagValue: '1' }] }, 'TagException', /^Tags beginning with aws: are reserved$/],
    ['51 tags', { Tags: Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: '' })) }, 'TagException', /^Too many tags$/],
    ['a tag key too long', { Tags: [{ TagKey: 'k'.repeat(129), TagValue: '' }] }, 'ValidationException',
      /at 'tags\.1\.member\.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128$/],
    ['description too long', { Description: 'é'.repeat(8193) }, 'ValidationException',
      /Member must have length less than or equal to 8192$/],
    ['XksKeyId without an external key store', { XksKeyId: 'bb8562717f809024' }, 'ValidationException'],
    ['a CloudHSM key store that does not exist', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0' },
      'CustomKeyStoreNotFoundException'],
    ['an external key store that does not exist',
      { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: 'cks-9876543210fedcba9', XksKeyId: 'bb8562717f809024' },
      'CustomKeyStoreNotFoundException'],
    ['a multi-Region key in a custom key store', { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: 'cks-1234567890abcdef0', MultiRegion: true },
      'UnsupportedOperationException'],
  ];
  for (const [name, input, type, message] of refusals) {
    test(`refuses ${name} with ${type}, creating nothing`, async () => {
      const before = await allKeyIds(kms);
      const e = await errorOf(kms.send(new CreateKeyCommand(input)));
      assert.equal(e.name, type);
      assert.equal(e.$metadata.httpStatusCode, 400);
      if (message) assert.match(e.message, message);
      assert.deepEqual(await allKeyIds(kms), before);
    });
  }

  test('DescribeKey answers NotFoundException for unknown and malformed IDs, with AWS texts', async () => {
    const unknown = await errorOf(kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })));
    assert.equal(unknown.name, 'NotFoundException');
    assert.equal(unknown.message, "Key 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist");
    const malformed = await errorOf(kms.send(new DescribeKeyCommand({ KeyId: 'fake-key-id' })));
    assert.equal(malformed.message, "Invalid keyId 'fake-key-id'");
    const otherRegion = await errorOf(kms.send(new DescribeKeyCommand({
      KeyId: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
    })));
    assert.equal(otherRegion.message, 'Invalid arn eu-west-1');
  });

  test('keys belong to their Region and account', async () => {
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({}));
    const elsewhere = trent().client({ region: 'eu-central-1' });
    assert.equal((await errorOf(elsewhere.send(new DescribeKeyCommand({ KeyId: m!.KeyId })))).name, 'NotFoundException');
    const otherAccount = trent().client({ accessKeyId: '444455556666' });
    assert.equal((await errorOf(otherAccount.send(new DescribeKeyCommand({ KeyId: m!.KeyId })))).name, 'NotFoundException');
  });

  test('ListKeys pages with Limit and Marker, and refuses a forged Marker', async () => {
    const region = trent().client({ region: 'ap-south-1' });
    const made = new Set<string>();
    for (let i = 0; i < 7; i++) made.add((await region.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!);
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await region.send(new ListKeysCommand({ Limit: 3, Marker: marker }));
      assert.ok(page.Keys!.length <= 3);
      seen.push(...page.Keys!.map((k) => k.KeyId!));
      assert.equal(page.Truncated, page.NextMarker !== undefined);
      marker = page.NextMarker;
    } while (marker);
    assert.deepEqual(new Set(seen), made);
    assert.equal(seen.length, made.size);
    const forged = await errorOf(region.send(new ListKeysCommand({ Marker: 'not-a-marker' })));
    assert.equal(forged.name, 'InvalidMarkerException');
    const badLimit = await errorOf(region.send(new ListKeysCommand({ Limit: 1001 })));
    assert.equal(badLimit.message,
      "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
  });
});

async function allKeyIds(kms: KMSClient): Promise<string[]> {
  const ids: string[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Marker: marker, Limit: 1000 }));
    ids.push(...page.Keys!.map((k) => k.KeyId!));
    marker = page.NextMarker;
  } while (marker);
  return ids.sort();
}
