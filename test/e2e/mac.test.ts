import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  CreateKeyCommand, GenerateMacCommand, type KeySpec, type MacAlgorithmSpec, VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { EMPTY_MESSAGE, errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const HMAC: Array<[KeySpec, MacAlgorithmSpec, number]> = [
  ['HMAC_224', 'HMAC_SHA_224', 28], ['HMAC_256', 'HMAC_SHA_256', 32], ['HMAC_384', 'HMAC_SHA_384', 48], ['HMAC_512', 'HMAC_SHA_512', 64],
];
const message = Buffer.from('some important message');

describe('GenerateMac and VerifyMac', () => {
  const trent = useTrent();
  const kms = trent.client();
  const keys = new Map<KeySpec, { keyId: string; arn: string }>();

  before(async () => {
    for (const [spec] of HMAC) {
      const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' }));
      keys.set(spec, { keyId: m!.KeyId!, arn: m!.Arn! });
    }
  });

  for (const [spec, algorithm, length] of HMAC) {
    test(`${spec} ${algorithm}: a MAC of the digest's length that VerifyMac accepts, and nothing else`, async () => {
      const { keyId, arn } = keys.get(spec)!;
      const generated = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm }));
      assert.equal(generated.KeyId, arn);
      assert.equal(generated.MacAlgorithm, algorithm);
      const mac = Buffer.from(generated.Mac!);
      assert.equal(mac.length, length);
      // HMAC is deterministic: the same key and message give the same MAC.
      const again = await kms.send(new GenerateMacCommand({ KeyId: arn, Message: message, MacAlgorithm: algorithm }));
      assert.deepEqual(Buffer.from(again.Mac!), mac);

      const verified = await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: algorithm, Mac: mac }));
      assert.deepEqual({ ...verified, $metadata: undefined }, { $metadata: undefined, KeyId: arn, MacValid: true, MacAlgorithm: algorithm });

      const corrupted = Buffer.from(mac);
      corrupted[0]! ^= 1;
      const wrong: Array<[Buffer, Buffer]> = [
        [Buffer.from('some different important message'), mac], [message, corrupted], [message, mac.subarray(0, length - 1)],
      ];
      for (const [data, candidate] of wrong) {
        const e = await errorOf(kms.send(new VerifyMacCommand({ KeyId: keyId, Message: data, MacAlgorithm: algorithm, Mac: candidate })));
        assert.equal(e.name, 'KMSInvalidMacException');
        assert.equal(e.message, EMPTY_MESSAGE);
      }
    });
  }

  test('MACs differ between keys', async () => {
    const other = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const mine = await kms.send(new GenerateMacCommand({ KeyId: keys.get('HMAC_256')!.keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    const theirs = await kms.send(new GenerateMacCommand({ KeyId: other.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    assert.notDeepEqual(mine.Mac, theirs.Mac);
    const e = await errorOf(kms.send(new VerifyMacCommand({ KeyId: other.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: mine.Mac })));
    assert.equal(e.name, 'KMSInvalidMacException');
  });

  test('only the key spec\'s own algorithm, with AWS texts', async () => {
    const generate = await errorOf(kms.send(new GenerateMacCommand({ KeyId: keys.get('HMAC_224')!.keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })));
    assert.equal(generate.name, 'InvalidKeyUsageException');
    assert.equal(generate.message, 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.');
    const verify = await errorOf(kms.send(new VerifyMacCommand({
      KeyId: keys.get('HMAC_256')!.keyId, Message: message, MacAlgorithm: 'HMAC_SHA_512', Mac: Buffer.alloc(64),
    })));
    assert.equal(verify.message, 'Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.');
    const invalid = await errorOf(kms.send(new GenerateMacCommand({ KeyId: keys.get('HMAC_256')!.keyId, Message: message, MacAlgorithm: 'INVALID' as MacAlgorithmSpec })));
    assert.equal(invalid.message,
      "1 validation error detected: Value 'INVALID' at 'macAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [HMAC_SHA_384, HMAC_SHA_256, HMAC_SHA_224, HMAC_SHA_512]");
  });

  test('only HMAC keys, with AWS texts', async () => {
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const e = await errorOf(kms.send(new GenerateMacCommand({ KeyId: symmetric.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })));
    assert.equal(e.name, 'InvalidKeyUsageException');
    assert.equal(e.message, `${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for GenerateMac.`);
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const v = await errorOf(kms.send(new VerifyMacCommand({ KeyId: signing.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: Buffer.alloc(32) })));
    assert.equal(v.message, `${signing.Arn} key usage is SIGN_VERIFY which is not valid for VerifyMac.`);
  });

  test('messages of 1 to 4,096 bytes; unknown keys; DryRun; the key-state table', async () => {
    const { keyId } = keys.get('HMAC_512')!;
    await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.alloc(4096, 1), MacAlgorithm: 'HMAC_SHA_512' }));
    await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.alloc(1), MacAlgorithm: 'HMAC_SHA_512' }));
    for (const size of [0, 4097]) {
      const e = await errorOf(kms.send(new GenerateMacCommand({ KeyId: keyId, Message: Buffer.alloc(size), MacAlgorithm: 'HMAC_SHA_512' })));
      assert.equal(e.name, 'ValidationException', `${size} bytes`);
    }
    const unknown = await errorOf(kms.send(new GenerateMacCommand({ KeyId: 'key_id', Message: message, MacAlgorithm: 'HMAC_SHA_512' })));
    assert.equal(unknown.name, 'NotFoundException');
    assert.equal(unknown.message, "Invalid keyId 'key_id'");
    for (const command of [
      new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_512', DryRun: true }),
      new VerifyMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_512', Mac: Buffer.alloc(64), DryRun: true }),
    ]) {
      const dry = await errorOf(kms.send(command as GenerateMacCommand));
      assert.equal(dry.name, 'DryRunOperationException');
      assert.equal(dry.message, 'The request would have succeeded, but the DryRun option is set.');
    }
    const { KeyMetadata: pending } = await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Origin: 'EXTERNAL' }));
    const state = await errorOf(kms.send(new GenerateMacCommand({ KeyId: pending!.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' })));
    assert.equal(state.name, 'KMSInvalidStateException');
    assert.equal(state.message, `${pending!.Arn} is pending import.`);
  });
});
