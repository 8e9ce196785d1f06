import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  DecryptCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand, GenerateRandomCommand, ReEncryptCommand,
  ScheduleKeyDeletionCommand, type CreateKeyCommandInput, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { createKey, errorOf, rejects, wireMessage } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const DRY_RUN = 'The request would have succeeded, but the DryRun option is set.';
const INCORRECT_KEY = 'The key ID in the request does not identify a CMK that can perform this operation.';

describe('Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  let sym: KeyMetadata;
  let other: KeyMetadata;
  let rsa: KeyMetadata;
  let signing: KeyMetadata;
  const create = (input?: CreateKeyCommandInput) => createKey(kms, input);

  before(async () => {
    [sym, other, rsa, signing] = await Promise.all([
      create(), create(), create({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }),
      create({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    ]);
  });

  test('symmetric round trip of 1 and 4,096 bytes with a context; the answer names the key and material', async () => {
    for (const size of [1, 4096]) {
      const plaintext = Buffer.alloc(size, 7);
      const context = { tenant: 'a', purpose: 'test' };
      const e = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: plaintext, EncryptionContext: context }));
      assert.equal(e.KeyId, sym.Arn);
      assert.equal(e.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
      const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { purpose: 'test', tenant: 'a' } }));
      assert.deepEqual(Buffer.from(d.Plaintext!), plaintext);
      assert.equal(d.KeyId, sym.Arn);
      assert.equal(d.EncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
      assert.equal(d.KeyMaterialId, sym.CurrentKeyMaterialId);
    }
  });

  test('the wrong or a missing context is InvalidCiphertextException with an empty message', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { a: 'b' } }));
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })), 'InvalidCiphertextException', '');
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, EncryptionContext: { a: 'B' } })),
      'InvalidCiphertextException', '');
  });

  test('Decrypt with the KeyId of another key is IncorrectKeyException; an alias of the right key works', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: sym.Arn, Plaintext: Buffer.from('x') }));
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: other.KeyId })), 'IncorrectKeyException', INCORRECT_KEY);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: signing.KeyId })), 'IncorrectKeyException', INCORRECT_KEY);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: sym.Arn }));
    assert.equal(Buffer.from(d.Plaintext!).toString(), 'x');
  });

  test('every byte of a short ciphertext flipped in turn is InvalidCiphertextException', async () => {
    const { CiphertextBlob: blob } = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('k') }));
    const answers = await Promise.all(Array.from(blob!, async (_, i) => {
      const tampered = Buffer.from(blob!);
      tampered[i]! ^= 0x01;
      const e = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: tampered })));
      return `${e.name}:${wireMessage(e)}`;
    }));
    assert.deepEqual(new Set(answers), new Set(['InvalidCiphertextException:']));
  });

  test('RSA OAEP round trip; Decrypt needs the KeyId and the algorithm', async () => {
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const) {
      const e = await kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('rsa'), EncryptionAlgorithm: algorithm }));
      assert.equal(e.CiphertextBlob!.length, 256);
      assert.equal(e.EncryptionAlgorithm, algorithm);
      const d = await kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: rsa.KeyId, EncryptionAlgorithm: algorithm }));
      assert.equal(Buffer.from(d.Plaintext!).toString(), 'rsa');
      assert.equal(d.KeyMaterialId, undefined);
      await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })), 'InvalidCiphertextException', '');
      await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, KeyId: rsa.KeyId })),
        'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    }
  });

  test('asymmetric refusals: no context, listed algorithms only, the size limit', async () => {
    await rejects(kms.send(new EncryptCommand({
      KeyId: rsa.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', EncryptionContext: { a: 'b' },
    })), 'ValidationException', 'EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
    await rejects(kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.from('x') })),
      'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    await rejects(kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'InvalidKeyUsageException', 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.');
    await rejects(kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: Buffer.alloc(191), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })),
      'ValidationException', 'Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.');
  });

  test('a signing key cannot encrypt (recorded text); plaintext over 4,096 bytes is refused by the model', async () => {
    await rejects(kms.send(new EncryptCommand({ KeyId: signing.KeyId, Plaintext: Buffer.from('x') })),
      'InvalidKeyUsageException', `${signing.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`);
    await rejects(kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.alloc(4097) })), 'ValidationException',
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  });

  test('ReEncrypt: symmetric → symmetric, symmetric → RSA, RSA → symmetric', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('move me'), EncryptionContext: { a: '1' } }));
    const toOther = await kms.send(new ReEncryptCommand({
      CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { a: '1' }, DestinationKeyId: other.KeyId,
      DestinationEncryptionContext: { b: '2' },
    }));
    assert.equal(toOther.SourceKeyId, sym.Arn);
    assert.equal(toOther.KeyId, other.Arn);
    assert.equal(toOther.SourceKeyMaterialId, sym.CurrentKeyMaterialId);
    assert.equal(toOther.DestinationKeyMaterialId, other.CurrentKeyMaterialId);
    assert.equal(toOther.SourceEncryptionAlgorithm, 'SYMMETRIC_DEFAULT');
    const toRsa = await kms.send(new ReEncryptCommand({
      CiphertextBlob: toOther.CiphertextBlob, SourceEncryptionContext: { b: '2' }, DestinationKeyId: rsa.Arn,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }));
    assert.equal(toRsa.DestinationEncryptionAlgorithm, 'RSAES_OAEP_SHA_256');
    assert.equal(toRsa.DestinationKeyMaterialId, undefined);
    const back = await kms.send(new ReEncryptCommand({
      CiphertextBlob: toRsa.CiphertextBlob, SourceKeyId: rsa.KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: sym.KeyId,
    }));
    assert.equal(back.SourceKeyId, rsa.Arn);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: back.CiphertextBlob }));
    assert.equal(Buffer.from(d.Plaintext!).toString(), 'move me');
  });

  test('ReEncrypt refusals: a SourceKeyId that does not match, a destination that cannot encrypt', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x') }));
    await rejects(kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, SourceKeyId: other.KeyId, DestinationKeyId: sym.KeyId })),
      'IncorrectKeyException', INCORRECT_KEY);
    await rejects(kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: signing.KeyId })),
      'InvalidKeyUsageException', `${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`);
    await rejects(kms.send(new ReEncryptCommand({
      CiphertextBlob: e.CiphertextBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
      DestinationEncryptionContext: { a: 'b' },
    })), 'ValidationException', 'EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
  });

  test('GenerateDataKey: AES_128, AES_256, NumberOfBytes; the ciphertext decrypts to the plaintext', async () => {
    for (const [input, length] of [[{ KeySpec: 'AES_128' }, 16], [{ KeySpec: 'AES_256' }, 32], [{ NumberOfBytes: 64 }, 64]] as const) {
      const g = await kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, EncryptionContext: { k: 'v' }, ...input }));
      assert.equal(g.Plaintext!.length, length);
      assert.equal(g.KeyId, sym.Arn);
      assert.equal(g.KeyMaterialId, sym.CurrentKeyMaterialId);
      const d = await kms.send(new DecryptCommand({ CiphertextBlob: g.CiphertextBlob, EncryptionContext: { k: 'v' } }));
      assert.deepEqual(Buffer.from(d.Plaintext!), Buffer.from(g.Plaintext!));
    }
    const w = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: sym.KeyId, KeySpec: 'AES_256' }));
    assert.equal('Plaintext' in w, false);
    const d = await kms.send(new DecryptCommand({ CiphertextBlob: w.CiphertextBlob }));
    assert.equal(d.Plaintext!.length, 32);
  });

  test('GenerateDataKey refusals: both or neither length, asymmetric and signing keys', async () => {
    const either = 'Please specify either number of bytes or key spec.';
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId })), 'ValidationException', either);
    await rejects(kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: sym.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
      'ValidationException', either);
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: rsa.KeyId, KeySpec: 'AES_256' })),
      'InvalidKeyUsageException', 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: signing.KeyId, KeySpec: 'AES_256' })),
      'InvalidKeyUsageException', `${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKey.`);
  });

  test('DryRun answers DryRunOperationException after the checks, and a failing check still fails', async () => {
    const e = await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x') }));
    await rejects(kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x'), DryRun: true })), 'DryRunOperationException', DRY_RUN);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob, DryRun: true })), 'DryRunOperationException', DRY_RUN);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from('junk'), DryRun: true })), 'InvalidCiphertextException', '');
    await rejects(kms.send(new DecryptCommand({ KeyId: sym.KeyId, DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      'DryRunOperationException', DRY_RUN);
    await rejects(kms.send(new DecryptCommand({ DryRun: true, DryRunModifiers: ['IGNORE_CIPHERTEXT'] })),
      'ValidationException', 'KeyId is required when DryRunModifiers contains IGNORE_CIPHERTEXT.');
    await rejects(kms.send(new DecryptCommand({})), 'ValidationException',
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    await rejects(kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: other.KeyId, DryRun: true })),
      'DryRunOperationException', DRY_RUN);
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: sym.KeyId, KeySpec: 'AES_256', DryRun: true })), 'DryRunOperationException', DRY_RUN);
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: signing.KeyId, KeySpec: 'AES_256', DryRun: true })), 'InvalidKeyUsageException');
  });

  test('GrantTokens are accepted; Recipient is refused', async () => {
    await kms.send(new EncryptCommand({ KeyId: sym.KeyId, Plaintext: Buffer.from('x'), GrantTokens: ['token-1'] }));
    await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } })),
      'UnsupportedOperationException');
  });

  test('GenerateRandom: 1 and 1,024 bytes; NumberOfBytes is required (recorded text)', async () => {
    for (const n of [1, 1024]) assert.equal((await kms.send(new GenerateRandomCommand({ NumberOfBytes: n }))).Plaintext!.length, n);
    await rejects(kms.send(new GenerateRandomCommand({})), 'ValidationException', 'NumberOfBytes is required.');
    await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), 'ValidationException',
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' })),
      'CustomKeyStoreNotFoundException');
  });

  test('key states: a disabled key cannot encrypt or decrypt; a key pending deletion neither', async () => {
    const key = await create();
    const e = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'DisabledException', `${key.Arn} is disabled.`);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })), 'DisabledException', `${key.Arn} is disabled.`);
    await rejects(kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })), 'DisabledException');
    await rejects(kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, DestinationKeyId: sym.KeyId })), 'DisabledException');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })), 'KMSInvalidStateException', `${key.Arn} is pending deletion.`);
    const external = await create({ Origin: 'EXTERNAL' });
    await rejects(kms.send(new EncryptCommand({ KeyId: external.KeyId, Plaintext: Buffer.from('x') })),
      'KMSInvalidStateException', `${external.Arn} is pending import.`);
  });
});
