import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateKeyCommand, DisableKeyCommand, GetPublicKeyCommand, type KeySpec, type MessageType, SignCommand,
  type SigningAlgorithmSpec, VerifyCommand,
} from '@aws-sdk/client-kms';
import { digestFor, externalMu, Scratch, verifiedIndependently } from '../support/asymmetric.js';
import { EMPTY_MESSAGE, errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

/** What AWS allows, stated here independently of Trent's spec table. */
const RSA: SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
];
const SIGNING: Array<[KeySpec, SigningAlgorithmSpec[]]> = [
  ['RSA_2048', RSA], ['RSA_3072', RSA], ['RSA_4096', RSA],
  ['ECC_NIST_P256', ['ECDSA_SHA_256']], ['ECC_NIST_P384', ['ECDSA_SHA_384']], ['ECC_NIST_P521', ['ECDSA_SHA_512']],
  ['ECC_SECG_P256K1', ['ECDSA_SHA_256']],
  ['ECC_NIST_EDWARDS25519', ['ED25519_SHA_512', 'ED25519_PH_SHA_512']],
  ['ML_DSA_44', ['ML_DSA_SHAKE_256']], ['ML_DSA_65', ['ML_DSA_SHAKE_256']], ['ML_DSA_87', ['ML_DSA_SHAKE_256']],
  ['SM2', ['SM2DSA']],
];

function messageTypes(algorithm: SigningAlgorithmSpec): MessageType[] {
  if (algorithm === 'ED25519_SHA_512') return ['RAW'];
  if (algorithm === 'ED25519_PH_SHA_512') return ['DIGEST'];
  if (algorithm === 'ML_DSA_SHAKE_256') return ['RAW', 'EXTERNAL_MU'];
  return ['RAW', 'DIGEST'];
}

const message = Buffer.from('The quick brown fox signs over the lazy dog.');

interface SigningKey {
  readonly arn: string;
  readonly spki: Buffer;
}

describe('Sign and Verify: every key spec × algorithm × message type, checked by independent verifiers', () => {
  // AWS offers SM2 in China only; this server offers it everywhere (the other files use a cn- Region).
  const trent = useTrent({ env: { TRENT_SM2_EVERYWHERE: '1' } });
  const kms = trent.client();
  const keys = new Map<KeySpec, SigningKey>();
  const scratch = new Scratch();

  before(async () => {
    // One key per spec, created concurrently: RSA generation runs off Trent's event loop.
    await Promise.all(SIGNING.map(async ([spec]) => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }));
      const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      keys.set(spec, { arn: KeyMetadata!.Arn!, spki: Buffer.from(PublicKey!) });
    }));
  });
  after(() => { scratch.remove(); });

  function inputFor(spec: KeySpec, algorithm: SigningAlgorithmSpec, type: MessageType, data: Buffer): Buffer {
    const { spki } = keys.get(spec)!;
    if (type === 'DIGEST') return digestFor(algorithm, data, spki);
    if (type === 'EXTERNAL_MU') return externalMu(spec, spki, data);
    return data;
  }

  for (const [spec, algorithms] of SIGNING) {
    for (const algorithm of algorithms) {
      for (const type of messageTypes(algorithm)) {
        test(`${spec} ${algorithm} ${type}`, async () => {
          const { arn, spki } = keys.get(spec)!;
          const input = inputFor(spec, algorithm, type, message);
          const signed = await kms.send(new SignCommand({ KeyId: arn, Message: input, MessageType: type, SigningAlgorithm: algorithm }));
          assert.equal(signed.KeyId, arn);
          assert.equal(signed.SigningAlgorithm, algorithm);
          const signature = Buffer.from(signed.Signature!);
          // Whatever was sent, the signature covers the original message: a DIGEST was not hashed again.
          assert.ok(verifiedIndependently(scratch, spec, algorithm, spki, message, signature), 'the independent verifier accepts');

          const verified = await kms.send(new VerifyCommand({
            KeyId: arn, Message: input, MessageType: type, Signature: signature, SigningAlgorithm: algorithm,
          }));
          assert.deepEqual({ ...verified, $metadata: undefined }, { $metadata: undefined, KeyId: arn, SignatureValid: true, SigningAlgorithm: algorithm });

          const tampered = inputFor(spec, algorithm, type, Buffer.concat([message, Buffer.from('!')]));
          const refused = await errorOf(kms.send(new VerifyCommand({
            KeyId: arn, Message: tampered, MessageType: type, Signature: signature, SigningAlgorithm: algorithm,
          })));
          assert.equal(refused.name, 'KMSInvalidSignatureException');
          assert.equal(refused.message, EMPTY_MESSAGE);
          assert.equal(refused.$metadata.httpStatusCode, 400);
          assert.equal(verifiedIndependently(scratch, spec, algorithm, spki, Buffer.concat([message, Buffer.from('!')]), signature), false);

          if (type === 'DIGEST' && messageTypes(algorithm).includes('RAW')) {
            // A signature over a DIGEST is the signature of the message it digests.
            const asRaw = await kms.send(new VerifyCommand({
              KeyId: arn, Message: message, MessageType: 'RAW', Signature: signature, SigningAlgorithm: algorithm,
            }));
            assert.equal(asRaw.SignatureValid, true);
          }
        });
      }
    }
  }

  test('a corrupted signature, or one by another key, does not verify', async () => {
    const p256 = keys.get('ECC_NIST_P256')!;
    const { Signature } = await kms.send(new SignCommand({ KeyId: p256.arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const corrupted = Buffer.from(Signature!);
    corrupted[corrupted.length - 1]! ^= 1;
    for (const signature of [corrupted, Buffer.from('not a signature'), Buffer.from(Signature!).subarray(0, 10)]) {
      const e = await errorOf(kms.send(new VerifyCommand({ KeyId: p256.arn, Message: message, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })));
      assert.equal(e.name, 'KMSInvalidSignatureException');
    }
    const rsa = keys.get('RSA_2048')!;
    const other = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
    const { Signature: byOther } = await kms.send(new SignCommand({ KeyId: other.KeyMetadata!.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }));
    const e = await errorOf(kms.send(new VerifyCommand({ KeyId: rsa.arn, Message: message, Signature: byOther, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })));
    assert.equal(e.name, 'KMSInvalidSignatureException');
  });

  test('PSS signatures are randomized; each verifies', async () => {
    const { arn, spki } = keys.get('RSA_3072')!;
    const one = await kms.send(new SignCommand({ KeyId: arn, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_384' }));
    const two = await kms.send(new SignCommand({ KeyId: arn, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_384' }));
    assert.notDeepEqual(one.Signature, two.Signature);
    assert.ok(verifiedIndependently(scratch, 'RSA_3072', 'RSASSA_PSS_SHA_384', spki, message, Buffer.from(two.Signature!)));
  });

  test('key usage is enforced with AWS texts', async () => {
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const sign = await errorOf(kms.send(new SignCommand({ KeyId: hmac.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })));
    assert.equal(sign.name, 'InvalidKeyUsageException');
    assert.equal(sign.message, `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`);
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const verify = await errorOf(kms.send(new VerifyCommand({
      KeyId: symmetric.KeyId, Message: message, Signature: Buffer.alloc(64), SigningAlgorithm: 'ECDSA_SHA_256',
    })));
    assert.equal(verify.name, 'InvalidKeyUsageException');
    assert.equal(verify.message, `${symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify.`);
    const rsaEncrypt = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const signWithEncryptionKey = await errorOf(kms.send(new SignCommand({ KeyId: rsaEncrypt.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })));
    assert.equal(signWithEncryptionKey.message, `${rsaEncrypt.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.`);
  });

  test('algorithms, message types and digest lengths follow AWS rules and texts', async () => {
    const cases: Array<[KeySpec, SigningAlgorithmSpec, MessageType, Buffer, string, string | RegExp]> = [
      ['ECC_NIST_P521', 'ECDSA_SHA_256', 'RAW', message, 'InvalidKeyUsageException', 'Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P521.'],
      ['RSA_2048', 'ECDSA_SHA_256', 'RAW', message, 'InvalidKeyUsageException', 'Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.'],
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 'DIGEST', Buffer.alloc(20), 'ValidationException', 'Digest is invalid length for algorithm RSASSA_PSS_SHA_256.'],
      ['ECC_NIST_P384', 'ECDSA_SHA_384', 'DIGEST', Buffer.alloc(32), 'ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_384.'],
      ['ML_DSA_65', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', Buffer.alloc(32), 'ValidationException', 'Digest is invalid length for algorithm ML_DSA_SHAKE_256.'],
      ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'RAW', message, 'ValidationException', /^MessageType RAW is not supported/],
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'DIGEST', Buffer.alloc(64), 'ValidationException', /^MessageType DIGEST is not supported/],
      ['ML_DSA_44', 'ML_DSA_SHAKE_256', 'DIGEST', Buffer.alloc(64), 'ValidationException', /^MessageType DIGEST is not supported/],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'EXTERNAL_MU', Buffer.alloc(64), 'ValidationException', /^MessageType EXTERNAL_MU is not supported/],
      ['ECC_NIST_P256', 'ECDSA_SHA_256', 'RAW', Buffer.alloc(4097), 'ValidationException',
        "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to 4096"],
    ];
    for (const [spec, algorithm, type, input, name, text] of cases) {
      const { arn } = keys.get(spec)!;
      for (const command of [
        new SignCommand({ KeyId: arn, Message: input, MessageType: type, SigningAlgorithm: algorithm }),
        new VerifyCommand({ KeyId: arn, Message: input, MessageType: type, SigningAlgorithm: algorithm, Signature: Buffer.alloc(64) }),
      ]) {
        const e = await errorOf(kms.send(command as SignCommand));
        assert.equal(e.name, name, `${spec} ${algorithm} ${type}`);
        if (typeof text === 'string') assert.equal(e.message, text);
        else assert.match(e.message, text);
      }
    }
  });

  test('4,096 bytes is the largest RAW message', async () => {
    const { arn, spki } = keys.get('ECC_NIST_P256')!;
    const big = Buffer.alloc(4096, 7);
    const { Signature } = await kms.send(new SignCommand({ KeyId: arn, Message: big, SigningAlgorithm: 'ECDSA_SHA_256' }));
    assert.ok(verifiedIndependently(scratch, 'ECC_NIST_P256', 'ECDSA_SHA_256', spki, big, Buffer.from(Signature!)));
  });

  test('DryRun answers AWS text after every other check, and signs nothing', async () => {
    const { arn } = keys.get('ECC_NIST_P256')!;
    const dry = await errorOf(kms.send(new SignCommand({ KeyId: arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true })));
    assert.equal(dry.name, 'DryRunOperationException');
    assert.equal(dry.message, 'The request would have succeeded, but the DryRun option is set.');
    const dryVerify = await errorOf(kms.send(new VerifyCommand({
      KeyId: arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', Signature: Buffer.alloc(70), DryRun: true,
    })));
    assert.equal(dryVerify.name, 'DryRunOperationException');
    const invalid = await errorOf(kms.send(new SignCommand({
      KeyId: arn, Message: Buffer.alloc(3), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256', DryRun: true,
    })));
    assert.equal(invalid.name, 'ValidationException');
  });

  test('GrantTokens are accepted', async () => {
    const { arn } = keys.get('ECC_NIST_P256')!;
    const signed = await kms.send(new SignCommand({ KeyId: arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', GrantTokens: ['token'] }));
    assert.equal(signed.KeyId, arn);
  });

  test('the key-state table: a key without material, or disabled, cannot sign', async () => {
    const pending = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }))).KeyMetadata!;
    const e = await errorOf(kms.send(new SignCommand({ KeyId: pending.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })));
    assert.equal(e.name, 'KMSInvalidStateException');
    assert.equal(e.message, `${pending.Arn} is pending import.`);

    const key = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    for (const command of [
      new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      new VerifyCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256', Signature: Buffer.alloc(70) }),
      new GetPublicKeyCommand({ KeyId: key.KeyId }),
    ]) {
      const disabled = await errorOf(kms.send(command as SignCommand));
      assert.equal(disabled.name, 'DisabledException');
      assert.equal(disabled.message, `${key.Arn} is disabled.`);
    }
  });
});
