import assert from 'node:assert/strict';
import { after, describe, test, type TestContext } from 'node:test';
import {
  CreateKeyCommand, type CreateKeyCommandInput, DecryptCommand, type EncryptionAlgorithmSpec, GetPublicKeyCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { createPublicKey, randomBytes } from 'node:crypto';
import { openssl, Scratch } from '../support/asymmetric.js';
import { errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const RSA_SIGNING = [
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
];

/** Key, Region, the fields GetPublicKey must answer, and what `openssl pkey -text` must say of the key. */
const CASES: Array<[string, CreateKeyCommandInput, Record<string, unknown>, RegExp | undefined]> = [
  ['RSA_2048 encryption', { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' },
    { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }, /Public-Key: \(2048 bit\)/],
  ['RSA_3072 signing', { KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: RSA_SIGNING }, /Public-Key: \(3072 bit\)/],
  ['P-256 key agreement', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }, { KeyAgreementAlgorithms: ['ECDH'] }, /NIST CURVE: P-256/],
  ['P-384 signing', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_384'] }, /NIST CURVE: P-384/],
  ['P-521 signing', { KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_512'] }, /NIST CURVE: P-521/],
  ['secp256k1 signing', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ECDSA_SHA_256'] }, /ASN1 OID: secp256k1/],
  ['Ed25519 signing', { KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' },
    { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] }, /ED25519 Public-Key/],
  // OpenSSL 3.0 predates ML-DSA: its public key is checked by length and OID instead.
  ['ML-DSA-65 signing', { KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' }, { SigningAlgorithms: ['ML_DSA_SHAKE_256'] }, undefined],
  ['SM2 encryption', { KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' }, { EncryptionAlgorithms: ['SM2PKE'] }, /ASN1 OID: SM2/],
  ['SM2 key agreement', { KeySpec: 'SM2', KeyUsage: 'KEY_AGREEMENT' }, { KeyAgreementAlgorithms: ['ECDH'] }, /ASN1 OID: SM2/],
];

const ALGORITHM_LISTS = ['EncryptionAlgorithms', 'SigningAlgorithms', 'KeyAgreementAlgorithms'] as const;

describe('GetPublicKey', () => {
  const trent = useTrent();
  const kms = trent.client();
  const china = trent.client({ region: 'cn-north-1' });
  const scratch = new Scratch();
  const clientFor = (input: CreateKeyCommandInput) => (input.KeySpec === 'SM2' ? china : kms);

  after(() => { scratch.remove(); });

  async function publicKeyOf(input: CreateKeyCommandInput) {
    const client = clientFor(input);
    const { KeyMetadata: m } = await client.send(new CreateKeyCommand(input));
    return { metadata: m!, response: await client.send(new GetPublicKeyCommand({ KeyId: m!.KeyId })), client };
  }

  for (const [name, input, algorithms, opensslSays] of CASES) {
    test(`${name}: DER SubjectPublicKeyInfo with the key's spec, usage and algorithms`, async () => {
      const { metadata, response } = await publicKeyOf(input);
      assert.equal(response.KeyId, metadata.Arn);
      assert.equal(response.KeySpec, input.KeySpec);
      assert.equal(response.CustomerMasterKeySpec, input.KeySpec);
      assert.equal(response.KeyUsage, input.KeyUsage);
      for (const list of ALGORITHM_LISTS) assert.deepEqual(response[list], algorithms[list], list);
      // The lists are those DescribeKey shows for the key.
      for (const list of ALGORITHM_LISTS) assert.deepEqual(response[list], metadata[list], list);
      const spki = Buffer.from(response.PublicKey!);
      if (opensslSays) {
        const der = scratch.file(spki);
        assert.match(openssl('pkey', '-pubin', '-inform', 'DER', '-in', der, '-noout', '-text').toString(), opensslSays);
        // Canonical DER: OpenSSL re-encodes it byte for byte.
        assert.deepEqual(openssl('pkey', '-pubin', '-inform', 'DER', '-in', der, '-outform', 'DER'), spki);
      } else {
        assert.match(openssl('asn1parse', '-inform', 'DER', '-in', scratch.file(spki)).toString(), /2\.16\.840\.1\.101\.3\.4\.3\.18/);
        assert.equal(spki.length, 22 + 1952);
      }
    });
  }

  test('the same public key on every call, by key ID or key ARN', async () => {
    const { metadata, response } = await publicKeyOf({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const again = await kms.send(new GetPublicKeyCommand({ KeyId: metadata.Arn, GrantTokens: ['token'] }));
    assert.deepEqual(again.PublicKey, response.PublicKey);
  });

  test('symmetric and HMAC keys have no public key', async () => {
    for (const input of [{}, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }] as CreateKeyCommandInput[]) {
      const { KeyMetadata: m } = await kms.send(new CreateKeyCommand(input));
      const e = await errorOf(kms.send(new GetPublicKeyCommand({ KeyId: m!.KeyId })));
      assert.equal(e.name, 'UnsupportedOperationException');
      assert.equal(e.message, `${m!.Arn} key spec ${m!.KeySpec} is not supported for this operation.`);
    }
  });

  test('unknown keys and keys without material are refused with AWS texts', async () => {
    const unknown = await errorOf(kms.send(new GetPublicKeyCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })));
    assert.equal(unknown.name, 'NotFoundException');
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' }));
    const pending = await errorOf(kms.send(new GetPublicKeyCommand({ KeyId: m!.KeyId })));
    assert.equal(pending.name, 'KMSInvalidStateException');
    assert.equal(pending.message, `${m!.Arn} is pending import.`);
  });

  /** Decrypt belongs to the symmetric data plane; these tests wait for it rather than fake it. */
  async function decryptOrSkip(t: TestContext, client: KMSClient, keyId: string, algorithm: EncryptionAlgorithmSpec,
    ciphertext: Buffer): Promise<Buffer | undefined> {
    try {
      return Buffer.from((await client.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: algorithm }))).Plaintext!);
    } catch (e) {
      if (e instanceof Error && /does not implement Decrypt/.test(e.message)) {
        t.skip('Decrypt is not implemented yet');
        return undefined;
      }
      throw e;
    }
  }

  test('RSA: what OpenSSL encrypts with the public key, Trent decrypts', async (t) => {
    const { metadata, response } = await publicKeyOf({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const pem = scratch.file(createPublicKey({ key: Buffer.from(response.PublicKey!), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));
    for (const [algorithm, md, size] of [['RSAES_OAEP_SHA_256', 'sha256', 190], ['RSAES_OAEP_SHA_1', 'sha1', 214]] as const) {
      const plaintext = randomBytes(size);
      const ciphertext = openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', pem, '-pkeyopt', 'rsa_padding_mode:oaep',
        '-pkeyopt', `rsa_oaep_md:${md}`, '-pkeyopt', `rsa_mgf1_md:${md}`, '-in', scratch.file(plaintext));
      const decrypted = await decryptOrSkip(t, kms, metadata.KeyId!, algorithm, ciphertext);
      if (!decrypted) return;
      assert.deepEqual(decrypted, plaintext, algorithm);
    }
  });

  test('SM2: what OpenSSL encrypts with the public key, Trent decrypts', async (t) => {
    const { metadata, response, client } = await publicKeyOf({ KeySpec: 'SM2', KeyUsage: 'ENCRYPT_DECRYPT' });
    const pem = scratch.file(createPublicKey({ key: Buffer.from(response.PublicKey!), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));
    const plaintext = randomBytes(200);
    const ciphertext = openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', pem, '-in', scratch.file(plaintext));
    const decrypted = await decryptOrSkip(t, client, metadata.KeyId!, 'SM2PKE', ciphertext);
    if (decrypted) assert.deepEqual(decrypted, plaintext);
  });
});
