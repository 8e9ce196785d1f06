import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, randomBytes, sign, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  CreateKeyCommand, type DataKeyPairSpec, DecryptCommand, DescribeKeyCommand, DisableKeyCommand,
  GenerateDataKeyPairCommand, type GenerateDataKeyPairResponse, GenerateDataKeyPairWithoutPlaintextCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { openssl, Scratch } from '../support/asymmetric.js';
import { EMPTY_MESSAGE, errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

/** Pair spec, and what `openssl pkey -text` says of its private key. */
const SPECS: Array<[DataKeyPairSpec, RegExp]> = [
  ['RSA_2048', /Private-Key: \(2048 bit, 2 primes\)/], ['RSA_3072', /Private-Key: \(3072 bit, 2 primes\)/],
  ['RSA_4096', /Private-Key: \(4096 bit, 2 primes\)/],
  ['ECC_NIST_P256', /NIST CURVE: P-256/], ['ECC_NIST_P384', /NIST CURVE: P-384/], ['ECC_NIST_P521', /NIST CURVE: P-521/],
  ['ECC_SECG_P256K1', /ASN1 OID: secp256k1/], ['ECC_NIST_EDWARDS25519', /ED25519 Private-Key/], ['SM2', /ASN1 OID: SM2/],
];

const context = { purpose: 'data key pair test', tenant: '42' };

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  const trent = useTrent();
  const kms = trent.client();
  const china = trent.client({ region: 'cn-north-1' });
  const wrapping = new Map<KMSClient, { keyId: string; arn: string }>();
  const pairs = new Map<DataKeyPairSpec, Promise<GenerateDataKeyPairResponse>>();
  const scratch = new Scratch();
  const clientFor = (spec: DataKeyPairSpec) => (spec === 'SM2' ? china : kms);

  before(async () => {
    for (const client of [kms, china]) {
      const { KeyMetadata: m } = await client.send(new CreateKeyCommand({}));
      wrapping.set(client, { keyId: m!.KeyId!, arn: m!.Arn! });
    }
    // Every pair is requested at once: RSA generation runs off Trent's event loop, so they overlap.
    for (const [spec] of SPECS) {
      const client = clientFor(spec);
      pairs.set(spec, client.send(new GenerateDataKeyPairCommand({
        KeyId: wrapping.get(client)!.keyId, KeyPairSpec: spec, EncryptionContext: context,
      })));
    }
    await Promise.allSettled(pairs.values());
  });
  after(() => { scratch.remove(); });

  for (const [spec, opensslSays] of SPECS) {
    test(`${spec}: PKCS#8 private key, SPKI public key, the private key sealed so that Decrypt recovers it`, async () => {
      const client = clientFor(spec);
      const { arn } = wrapping.get(client)!;
      const pair = await pairs.get(spec)!;
      assert.equal(pair.KeyId, arn);
      assert.equal(pair.KeyPairSpec, spec);
      const described = await client.send(new DescribeKeyCommand({ KeyId: arn }));
      assert.equal(pair.KeyMaterialId, described.KeyMetadata!.CurrentKeyMaterialId);

      const privateKey = Buffer.from(pair.PrivateKeyPlaintext!);
      const publicKey = Buffer.from(pair.PublicKey!);
      const der = scratch.file(privateKey);
      assert.match(openssl('pkey', '-inform', 'DER', '-in', der, '-noout', '-text').toString(), opensslSays);
      // The public key is the private key's: OpenSSL derives the same SubjectPublicKeyInfo from it.
      assert.deepEqual(openssl('pkey', '-inform', 'DER', '-in', der, '-pubout', '-outform', 'DER'), publicKey);

      const decrypted = await client.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: context }));
      assert.equal(decrypted.KeyId, arn);
      assert.deepEqual(Buffer.from(decrypted.Plaintext!), privateKey);
      const unbound = await errorOf(client.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })));
      assert.equal(unbound.name, 'InvalidCiphertextException');
      assert.equal(unbound.message, EMPTY_MESSAGE);

      if (spec !== 'SM2') {
        // The pair works outside KMS, whatever the spec (KMS's key-usage rules do not bind data key pairs).
        const data = Buffer.from('signed outside Trent');
        const hash = spec === 'ECC_NIST_EDWARDS25519' ? null : 'sha256';
        const signature = sign(hash, data, createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' }));
        assert.ok(verify(hash, data, createPublicKey({ key: publicKey, format: 'der', type: 'spki' }), signature));
      }
    });
  }

  test('every pair is new', async () => {
    const { keyId } = wrapping.get(kms)!;
    const again = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256' }));
    assert.notDeepEqual(again.PublicKey, (await pairs.get('ECC_NIST_P256')!).PublicKey);
  });

  test('WithoutPlaintext: only the sealed private key and the public key', async () => {
    const { keyId, arn } = wrapping.get(kms)!;
    const pair = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'ECC_NIST_P384', EncryptionContext: context }));
    assert.deepEqual(Object.keys(pair).filter((k) => k !== '$metadata').sort(),
      ['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey']);
    assert.equal(pair.KeyId, arn);
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: context }));
    const derived = createPublicKey(createPrivateKey({ key: Buffer.from(Plaintext!), format: 'der', type: 'pkcs8' }));
    assert.deepEqual(derived.export({ format: 'der', type: 'spki' }), Buffer.from(pair.PublicKey!));
    const wrongContext = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { ...context, tenant: '43' } })));
    assert.equal(wrongContext.name, 'InvalidCiphertextException');
  });

  test('only a symmetric encryption key seals the private key, with AWS texts', async () => {
    const hmac = (await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!;
    const e = await errorOf(kms.send(new GenerateDataKeyPairCommand({ KeyId: hmac.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    assert.equal(e.name, 'InvalidKeyUsageException');
    assert.equal(e.message, `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPair.`);
    const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!;
    const asymmetric = await errorOf(kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: rsa.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    assert.equal(asymmetric.name, 'InvalidKeyUsageException');
    assert.equal(asymmetric.message, 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.');
  });

  test('SM2 pairs only in the China partition', async () => {
    const e = await errorOf(kms.send(new GenerateDataKeyPairCommand({ KeyId: wrapping.get(kms)!.keyId, KeyPairSpec: 'SM2' })));
    assert.equal(e.name, 'ValidationException');
    assert.equal(e.message, 'KeyPairSpec SM2 is not supported in this region.');
  });

  test('DryRun, Recipient, and the key-state table', async () => {
    const { keyId } = wrapping.get(kms)!;
    for (const command of [
      new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: 'RSA_4096', DryRun: true }),
      new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: 'RSA_4096', DryRun: true }),
    ]) {
      const dry = await errorOf(kms.send(command as GenerateDataKeyPairCommand));
      assert.equal(dry.name, 'DryRunOperationException');
      assert.equal(dry.message, 'The request would have succeeded, but the DryRun option is set.');
    }
    const recipient = await errorOf(kms.send(new GenerateDataKeyPairCommand({
      KeyId: keyId, KeyPairSpec: 'ECC_NIST_P256', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: randomBytes(64) },
    })));
    assert.equal(recipient.name, 'UnsupportedOperationException');

    const pending = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const state = await errorOf(kms.send(new GenerateDataKeyPairCommand({ KeyId: pending.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    assert.equal(state.name, 'KMSInvalidStateException');
    assert.equal(state.message, `${pending.Arn} is pending import.`);
    const disabled = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await kms.send(new DisableKeyCommand({ KeyId: disabled.KeyId }));
    const off = await errorOf(kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: disabled.KeyId, KeyPairSpec: 'ECC_NIST_P256' })));
    assert.equal(off.name, 'DisabledException');
    assert.equal(off.message, `${disabled.Arn} is disabled.`);
  });
});
