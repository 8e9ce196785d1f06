import assert from 'node:assert/strict';
import { createECDH, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, describe, test } from 'node:test';
import {
  CreateKeyCommand, DeriveSharedSecretCommand, GetPublicKeyCommand, type KeySpec, type KMSClient,
} from '@aws-sdk/client-kms';
import { openssl, Scratch } from '../support/asymmetric.js';
import { EMPTY_MESSAGE, errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const NIST: Array<[KeySpec, string, number]> = [
  ['ECC_NIST_P256', 'prime256v1', 32], ['ECC_NIST_P384', 'secp384r1', 48], ['ECC_NIST_P521', 'secp521r1', 66],
];

/** SubjectPublicKeyInfo prefix for an uncompressed SM2 point (id-ecPublicKey, curve 1.2.156.10197.1.301). */
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

describe('DeriveSharedSecret: ECDH that agrees with OpenSSL', () => {
  const trent = useTrent();
  const kms = trent.client();
  const china = trent.client({ region: 'cn-north-1' });
  const scratch = new Scratch();
  const pem = (spki: Buffer) =>
    scratch.file(createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));

  after(() => { scratch.remove(); });

  async function agreementKey(client: KMSClient, spec: KeySpec) {
    const { KeyMetadata: m } = await client.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'KEY_AGREEMENT' }));
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: m!.KeyId }));
    return { arn: m!.Arn!, keyId: m!.KeyId!, spki: Buffer.from(PublicKey!) };
  }

  for (const [spec, curve, bytes] of NIST) {
    test(`${spec}: Trent and OpenSSL derive the same raw secret`, async () => {
      const key = await agreementKey(kms, spec);
      const peer = generateKeyPairSync('ec', { namedCurve: curve });
      const response = await kms.send(new DeriveSharedSecretCommand({
        KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }),
      }));
      assert.equal(response.KeyId, key.arn);
      assert.equal(response.KeyAgreementAlgorithm, 'ECDH');
      assert.equal(response.KeyOrigin, 'AWS_KMS');
      const secret = Buffer.from(response.SharedSecret!);
      assert.equal(secret.length, bytes);
      const peerPem = scratch.file(peer.privateKey.export({ format: 'pem', type: 'pkcs8' }));
      assert.deepEqual(openssl('pkeyutl', '-derive', '-inkey', peerPem, '-peerkey', pem(key.spki)), secret);
    });
  }

  test('SM2: Trent and OpenSSL derive the same raw secret', async () => {
    const key = await agreementKey(china, 'SM2');
    const peer = createECDH('SM2');
    peer.generateKeys();
    const response = await china.send(new DeriveSharedSecretCommand({
      KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: Buffer.concat([SM2_SPKI_PREFIX, peer.getPublicKey()]),
    }));
    assert.equal(response.KeyId, key.arn);
    assert.deepEqual(Buffer.from(response.SharedSecret!), peer.computeSecret(key.spki.subarray(-65)));
  });

  test('a peer key on another curve, or malformed, is a ValidationException with an empty message', async () => {
    const key = await agreementKey(kms, 'ECC_NIST_P256');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' });
    const ed25519 = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
    const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' });
    const offCurve = Buffer.from(p256);
    offCurve[offCurve.length - 1]! ^= 1;
    for (const peer of [p384, ed25519, randomBytes(91), offCurve, p256.subarray(0, 60)]) {
      const e = await errorOf(kms.send(new DeriveSharedSecretCommand({ KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })));
      assert.equal(e.name, 'ValidationException');
      assert.equal(e.message, EMPTY_MESSAGE);
    }
  });

  test('only KEY_AGREEMENT keys agree, with AWS texts', async () => {
    const signing = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!;
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' });
    for (const key of [signing, symmetric]) {
      const e = await errorOf(kms.send(new DeriveSharedSecretCommand({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })));
      assert.equal(e.name, 'InvalidKeyUsageException');
      assert.equal(e.message, `${key.Arn} key usage is ${key.KeyUsage} which is not valid for DeriveSharedSecret.`);
    }
    const rsa = await errorOf(kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' })));
    assert.equal(rsa.message, 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048');
    const algorithm = await errorOf(kms.send(new DeriveSharedSecretCommand({
      KeyId: symmetric.KeyId, KeyAgreementAlgorithm: 'INVALID' as 'ECDH', PublicKey: peer,
    })));
    assert.equal(algorithm.message,
      "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]");
  });

  test('DryRun, Recipient and the key-state table', async () => {
    const key = await agreementKey(kms, 'ECC_NIST_P384');
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' });
    const dry = await errorOf(kms.send(new DeriveSharedSecretCommand({ KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer, DryRun: true })));
    assert.equal(dry.name, 'DryRunOperationException');
    assert.equal(dry.message, 'The request would have succeeded, but the DryRun option is set.');
    const recipient = await errorOf(kms.send(new DeriveSharedSecretCommand({
      KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer,
      Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: randomBytes(64) },
    })));
    assert.equal(recipient.name, 'UnsupportedOperationException');
    const { KeyMetadata: pending } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT', Origin: 'EXTERNAL' }));
    const state = await errorOf(kms.send(new DeriveSharedSecretCommand({ KeyId: pending!.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer })));
    assert.equal(state.name, 'KMSInvalidStateException');
    assert.equal(state.message, `${pending!.Arn} is pending import.`);
  });
});
