/**
 * Imported key material end to end through @aws-sdk/client-kms. The material is made and wrapped outside Trent,
 * by the openssl CLI (`pkeyutl -encrypt` with OAEP, `enc -id-aes256-wrap-pad`) or by Node's crypto as a second
 * library, and each imported key is judged by what it computes: signatures verified with the public half known
 * outside, MACs compared with ones computed outside, RSA ciphertexts made outside decrypted, symmetric
 * ciphertexts decrypted again after the material was deleted and imported again.
 */
import assert from 'node:assert/strict';
import { constants, createCipheriv, createHmac, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import {
  DecryptCommand, DeleteImportedKeyMaterialCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand,
  GetParametersForImportCommand, GetPublicKeyCommand, ImportKeyMaterialCommand, ListKeyRotationsCommand,
  RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, SignCommand, VerifyMacCommand, type AlgorithmSpec,
  type ImportKeyMaterialCommandInput, type KMSClient, type KeySpec, type WrappingKeySpec,
} from '@aws-sdk/client-kms';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';

import { openssl, Scratch, verifiedIndependently } from '../support/asymmetric.js';
import { readTrail } from '../support/audit.js';
import { createKey, rejects } from '../support/kms.js';
import { REPO, useTrent, type SuiteTrent } from '../support/trent.js';

const DAY = 24 * 60 * 60;
const NO_EXPIRY = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } as const;

type Wrapper = 'openssl' | 'node';

/** Wraps `material` for import as a user does, outside Trent, with the openssl CLI or Node's crypto. */
function wrapOutside(scratch: Scratch, by: Wrapper, algorithm: AlgorithmSpec, publicKey: Uint8Array, material: Buffer): Buffer {
  const hash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const rsaAes = algorithm.startsWith('RSA_AES_KEY_WRAP');
  if (by === 'node') {
    const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    const oaep = (data: Buffer) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
    if (!rsaAes) return oaep(material);
    const aes = randomBytes(32);
    const kwp = createCipheriv('id-aes256-wrap-pad', aes, Buffer.from('a65959a6', 'hex'));
    return Buffer.concat([oaep(aes), kwp.update(material), kwp.final()]);
  }
  const pub = scratch.file(Buffer.from(publicKey));
  const oaep = (file: string) => openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', pub, '-in', file,
    '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${hash}`, '-pkeyopt', `rsa_mgf1_md:${hash}`);
  const input = scratch.file(material);
  if (!rsaAes) return oaep(input);
  const aes = randomBytes(32);
  const wrapped = openssl('enc', '-id-aes256-wrap-pad', '-K', aes.toString('hex'), '-iv', 'A65959A6', '-in', input);
  return Buffer.concat([oaep(scratch.file(aes)), wrapped]);
}

/** The import flow of one suite's server: parameters, wrapping outside, ImportKeyMaterial. */
function importer(trent: SuiteTrent, kms: KMSClient, scratch: Scratch) {
  return async function importMaterial(keyId: string, material: Buffer, options: {
    algorithm?: AlgorithmSpec; wrappingKeySpec?: WrappingKeySpec; by?: Wrapper; request?: Partial<ImportKeyMaterialCommandInput>;
  } = {}) {
    const algorithm = options.algorithm ?? 'RSA_AES_KEY_WRAP_SHA_256';
    const parameters = await kms.send(new GetParametersForImportCommand({
      KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: options.wrappingKeySpec ?? 'RSA_3072',
    }));
    const wrapped = wrapOutside(scratch, options.by ?? 'openssl', algorithm, parameters.PublicKey!, material);
    return kms.send(new ImportKeyMaterialCommand({
      KeyId: keyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ...NO_EXPIRY, ...options.request,
    }));
  };
}

async function describeKey(kms: KMSClient, keyId: string) {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

/** A private key made by the openssl CLI, as PKCS #8 DER, with its public key as openssl writes it. */
function opensslKeyPair(scratch: Scratch, ...genpkey: string[]): { pkcs8: Buffer; spki: Buffer } {
  const pem = scratch.file(openssl('genpkey', ...genpkey));
  return {
    pkcs8: openssl('pkcs8', '-topk8', '-nocrypt', '-in', pem, '-outform', 'DER'),
    spki: openssl('pkey', '-in', pem, '-pubout', '-outform', 'DER'),
  };
}

describe('imported key material through @aws-sdk/client-kms', { concurrency: true }, () => {
  const trent = useTrent();
  const kms = trent.client();
  const scratch = new Scratch();
  after(() => { scratch.remove(); });
  const importMaterial = importer(trent, kms, scratch);

  test('symmetric: imported, deleted, imported again; ciphertexts made before decrypt again', async () => {
    const key = await createKey(kms, { Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const imported = await importMaterial(key.KeyId!, material);
    assert.equal(imported.KeyId, key.Arn);
    assert.match(imported.KeyMaterialId!, /^[0-9a-f]{64}$/);
    const described = await describeKey(kms, key.KeyId!);
    assert.equal(described.KeyState, 'Enabled');
    assert.equal(described.CurrentKeyMaterialId, imported.KeyMaterialId);
    assert.equal(described.ExpirationModel, 'KEY_MATERIAL_DOES_NOT_EXPIRE');
    assert.equal(described.ValidTo, undefined);
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('kept') }))).CiphertextBlob;

    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    assert.equal(deleted.KeyMaterialId, imported.KeyMaterialId);
    const pending = await describeKey(kms, key.KeyId!);
    assert.equal(pending.KeyState, 'PendingImport');
    // As recorded from AWS: the current material's ID stays, the expiration model goes with the material.
    assert.equal(pending.CurrentKeyMaterialId, imported.KeyMaterialId);
    assert.equal(pending.ExpirationModel, undefined);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException',
      `${key.Arn} is pending import.`);
    // Deleting again changes nothing.
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));

    await rejects(importMaterial(key.KeyId!, randomBytes(32)), 'IncorrectKeyMaterialException');
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'PendingImport', 'a refused import changes nothing');
    // The same material, through the other library and algorithm.
    const again = await importMaterial(key.KeyId!, material, { algorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_2048', by: 'node' });
    assert.equal(again.KeyMaterialId, imported.KeyMaterialId);
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'Enabled');
    const plaintext = (await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!;
    assert.equal(Buffer.from(plaintext).toString(), 'kept');
  });

  test('HMAC: every spec, tags equal those computed outside with the same bytes', async () => {
    const specs: Array<[KeySpec, 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512', string, number]> = [
      ['HMAC_224', 'HMAC_SHA_224', 'sha224', 28], ['HMAC_256', 'HMAC_SHA_256', 'sha256', 64],
      ['HMAC_384', 'HMAC_SHA_384', 'sha384', 100], ['HMAC_512', 'HMAC_SHA_512', 'sha512', 128],
    ];
    await Promise.all(specs.map(async ([spec, algorithm, hash, length]) => {
      const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: spec, KeyUsage: 'GENERATE_VERIFY_MAC' });
      const material = randomBytes(length);
      const imported = await importMaterial(key.KeyId!, material, { algorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_4096' });
      assert.equal(imported.KeyMaterialId, undefined, 'AWS names key material only for symmetric encryption keys');
      const message = randomBytes(100);
      const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: key.KeyId, MacAlgorithm: algorithm, Message: message }));
      assert.deepEqual(Buffer.from(Mac!), createHmac(hash, material).update(message).digest(), spec);
      const outside = createHmac(hash, material).update('from outside').digest();
      const verified = await kms.send(new VerifyMacCommand({ KeyId: key.KeyId, MacAlgorithm: algorithm, Message: Buffer.from('from outside'), Mac: outside }));
      assert.equal(verified.MacValid, true);
      const described = await describeKey(kms, key.KeyId!);
      assert.equal(described.CurrentKeyMaterialId, undefined);
      assert.equal(described.ExpirationModel, 'KEY_MATERIAL_DOES_NOT_EXPIRE');
    }));
  });

  test('RSA signing: GetPublicKey is the public key known outside, byte for byte, and signatures verify with it', async () => {
    const { pkcs8, spki } = opensslKeyPair(scratch, '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048');
    const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    await importMaterial(key.KeyId!, pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_1', wrappingKeySpec: 'RSA_2048' });
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    assert.deepEqual(Buffer.from(PublicKey!), spki);
    for (const algorithm of ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_512'] as const) {
      const message = randomBytes(64);
      const { Signature } = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }));
      assert.ok(verifiedIndependently(scratch, 'RSA_2048', algorithm, spki, message, Buffer.from(Signature!)), algorithm);
    }
    // An RSA private key does not fit in an RSAES_OAEP block: AWS requires an RSA_AES algorithm for it.
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' }));
    assert.throws(() => wrapOutside(scratch, 'openssl', 'RSAES_OAEP_SHA_256', parameters.PublicKey!, pkcs8));
  });

  test('RSA encryption: ciphertexts made outside with the public key decrypt', async () => {
    const { pkcs8, spki } = opensslKeyPair(scratch, '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072');
    const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'RSA_3072', KeyUsage: 'ENCRYPT_DECRYPT' });
    await importMaterial(key.KeyId!, pkcs8, { by: 'node' });
    const pub = scratch.file(spki);
    const input = scratch.file('made outside');
    const ciphertext = openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', pub, '-in', input,
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256');
    const { Plaintext } = await kms.send(new DecryptCommand({ KeyId: key.KeyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }));
    assert.equal(Buffer.from(Plaintext!).toString(), 'made outside');
  });

  test('ECC (NIST curves, secp256k1) and Ed25519: signatures verify with the public key known outside', async () => {
    const cases: Array<[KeySpec, string[], 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512' | 'ED25519_SHA_512', AlgorithmSpec]> = [
      ['ECC_NIST_P256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ECDSA_SHA_256', 'RSAES_OAEP_SHA_256'],
      ['ECC_NIST_P384', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'], 'ECDSA_SHA_384', 'RSAES_OAEP_SHA_1'],
      // P-521 material does not fit RSAES_OAEP under RSA_2048 (AWS's note); RSA_AES carries it.
      ['ECC_NIST_P521', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'], 'ECDSA_SHA_512', 'RSA_AES_KEY_WRAP_SHA_256'],
      ['ECC_SECG_P256K1', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:secp256k1'], 'ECDSA_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'],
      ['ECC_NIST_EDWARDS25519', ['-algorithm', 'ED25519'], 'ED25519_SHA_512', 'RSAES_OAEP_SHA_256'],
    ];
    await Promise.all(cases.map(async ([spec, genpkey, algorithm, wrapping]) => {
      const { pkcs8, spki } = opensslKeyPair(scratch, ...genpkey);
      const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: spec, KeyUsage: 'SIGN_VERIFY' });
      await importMaterial(key.KeyId!, pkcs8, { algorithm: wrapping, wrappingKeySpec: 'RSA_2048' });
      const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
      assert.deepEqual(Buffer.from(PublicKey!), spki, spec);
      const message = randomBytes(48);
      const { Signature } = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm }));
      assert.ok(verifiedIndependently(scratch, spec, algorithm, spki, message, Buffer.from(Signature!)), spec);
    }));
    const p521 = opensslKeyPair(scratch, '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521');
    const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    assert.throws(() => wrapOutside(scratch, 'openssl', 'RSAES_OAEP_SHA_256', parameters.PublicKey!, p521.pkcs8));
  });

  test('ML-DSA: a PKCS #8 seed imported; the public key and signatures are those @noble derives from the seed', async () => {
    const seed = randomBytes(32);
    // PrivateKeyInfo { 0, { id-ml-dsa-65 }, OCTET STRING { [0] seed } } (RFC 9881's seed form), written out by hand.
    const pkcs8 = Buffer.concat([Buffer.from('3034020100300b0609608648016503040312042280 20'.replace(/ /g, ''), 'hex'), seed]);
    const { publicKey } = ml_dsa65.keygen(seed);
    const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'ML_DSA_65', KeyUsage: 'SIGN_VERIFY' });
    await importMaterial(key.KeyId!, pkcs8, { algorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_3072' });
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }));
    assert.deepEqual(Buffer.from(PublicKey!).subarray(-publicKey.length), Buffer.from(publicKey));
    const message = randomBytes(80);
    const { Signature } = await kms.send(new SignCommand({ KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ML_DSA_SHAKE_256' }));
    assert.ok(ml_dsa65.verify(Signature!, message, publicKey));
  });

  test('SM2 where it is offered (China): an SM2 wrapping key with SM2PKE, openssl wrapping; an SM2 key of imported material signs', async () => {
    const china = trent.client({ region: 'cn-north-1' });
    const sm2Wrap = async (keyId: string, material: Buffer) => {
      const parameters = await china.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }));
      const wrapped = openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', scratch.file(Buffer.from(parameters.PublicKey!)),
        '-in', scratch.file(material));
      return china.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ...NO_EXPIRY }));
    };
    const symmetric = await createKey(china, { Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    await sm2Wrap(symmetric.KeyId!, material);
    const blob = (await china.send(new EncryptCommand({ KeyId: symmetric.KeyId, Plaintext: Buffer.from('sm2 wrapped') }))).CiphertextBlob;
    await china.send(new DeleteImportedKeyMaterialCommand({ KeyId: symmetric.KeyId }));
    await sm2Wrap(symmetric.KeyId!, material);
    assert.equal(Buffer.from((await china.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'sm2 wrapped');

    const { pkcs8, spki } = opensslKeyPair(scratch, '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2');
    const signing = await createKey(china, { Origin: 'EXTERNAL', KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' });
    await sm2Wrap(signing.KeyId!, pkcs8);
    assert.deepEqual(Buffer.from((await china.send(new GetPublicKeyCommand({ KeyId: signing.KeyId }))).PublicKey!), spki);
    const message = randomBytes(40);
    const { Signature } = await china.send(new SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'SM2DSA' }));
    assert.ok(verifiedIndependently(scratch, 'SM2', 'SM2DSA', spki, message, Buffer.from(Signature!)));
  });

  test('several materials in a symmetric key: NEW_KEY_MATERIAL waits for RotateKeyOnDemand; each material is listed, deleted and restored', async () => {
    const key = await createKey(kms, { Origin: 'EXTERNAL' });
    const [m1, m2, m3] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const first = (await importMaterial(key.KeyId!, m1, { request: { KeyMaterialDescription: 'first one' } })).KeyMaterialId!;
    const c1 = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('one') }))).CiphertextBlob;
    const second = (await importMaterial(key.KeyId!, m2, { request: { ImportType: 'NEW_KEY_MATERIAL' } })).KeyMaterialId!;
    assert.notEqual(second, first);
    assert.equal((await describeKey(kms, key.KeyId!)).CurrentKeyMaterialId, first, 'new material waits for rotation');
    const listed = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.deepEqual(listed.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState, r.KeyMaterialDescription, r.ExpirationModel]), [
      [first, 'CURRENT', 'IMPORTED', 'first one', 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
      [second, 'PENDING_ROTATION', 'IMPORTED', undefined, 'KEY_MATERIAL_DOES_NOT_EXPIRE'],
    ]);
    assert.deepEqual((await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations, [], 'no rotation yet');
    // Recorded from AWS: one material pending rotation at a time.
    const third = await importMaterial(key.KeyId!, m3, { request: { ImportType: 'NEW_KEY_MATERIAL' } }).catch((e: Error) => e);
    assert.equal((third as Error).name, 'KMSInvalidStateException');
    assert.match((third as Error).message, new RegExp(`^New key material \\(id: [0-9a-f]{64}\\) cannot be imported into KMS key ${key.KeyId}, because another key material \\(id: ${second}\\) is pending rotation\\.$`));
    await rejects(importMaterial(key.KeyId!, m1, { request: { ImportType: 'NEW_KEY_MATERIAL' } }), 'IncorrectKeyMaterialException');

    await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    assert.equal((await describeKey(kms, key.KeyId!)).CurrentKeyMaterialId, second);
    await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${key.Arn}.`);
    const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!;
    assert.deepEqual(rotations.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType]), [[second, 'CURRENT', 'ON_DEMAND']]);
    assert.ok(rotations[0]!.RotationDate instanceof Date);
    const c2 = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('two') }))).CiphertextBlob;

    // Deleting the older material (by its ID) leaves the key pending its import.
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId, KeyMaterialId: first }));
    assert.equal(deleted.KeyMaterialId, first);
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'PendingImport');
    const all = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    assert.deepEqual(all.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.ImportState]), [
      [first, 'NON_CURRENT', 'PENDING_IMPORT'], [second, 'CURRENT', 'IMPORTED'],
    ]);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: c2 })), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    await rejects(importMaterial(key.KeyId!, m1, { request: { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: second } }),
      'IncorrectKeyMaterialException');
    await importMaterial(key.KeyId!, m1, { request: { ImportType: 'EXISTING_KEY_MATERIAL', KeyMaterialId: first } });
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'Enabled');
    for (const [blob, text] of [[c1, 'one'], [c2, 'two']] as const) {
      assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), text);
    }
    const described = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    assert.equal(described[0]!.KeyMaterialDescription, 'first one', 'a reimport without a description keeps the one it had');
  });

  test('asymmetric and HMAC keys keep the material first imported; the symmetric-only parameters are refused for them', async () => {
    const first = opensslKeyPair(scratch, '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256');
    const other = opensslKeyPair(scratch, '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256');
    const key = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await importMaterial(key.KeyId!, first.pkcs8);
    await rejects(importMaterial(key.KeyId!, other.pkcs8), 'IncorrectKeyMaterialException');
    await rejects(importMaterial(key.KeyId!, first.pkcs8, { request: { ImportType: 'EXISTING_KEY_MATERIAL' } }), 'ValidationException',
      /ImportType is valid only for symmetric encryption keys/);
    // Material of another key spec.
    const p384 = await createKey(kms, { Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' });
    await rejects(importMaterial(p384.KeyId!, first.pkcs8), 'IncorrectKeyMaterialException', /ECC_NIST_P384/);
    assert.equal((await describeKey(kms, p384.KeyId!)).KeyState, 'PendingImport');
    // Deleted and imported again: the same public key.
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }));
    const pending = await describeKey(kms, key.KeyId!);
    assert.equal(pending.KeyState, 'PendingImport');
    await rejects(kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    await importMaterial(key.KeyId!, first.pkcs8, { by: 'node' });
    assert.deepEqual(Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: key.KeyId }))).PublicKey!), first.spki);
  });

  test('the request is checked: expiration, wrapping algorithm and key spec, token, material', async () => {
    const key = await createKey(kms, { Origin: 'EXTERNAL' });
    const other = await createKey(kms, { Origin: 'EXTERNAL' });
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }));
    assert.equal(parameters.KeyId, key.Arn);
    const hours = (parameters.ParametersValidTo!.getTime() - Date.now()) / 3_600_000;
    assert.ok(hours > 23.9 && hours <= 24.01, `valid ${hours} hours`);
    const wrapped = wrapOutside(scratch, 'node', 'RSAES_OAEP_SHA_256', parameters.PublicKey!, randomBytes(32));
    const request = { KeyId: key.KeyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped };
    // Recorded from AWS: the default expiration model needs a ValidTo.
    await rejects(kms.send(new ImportKeyMaterialCommand(request)), 'ValidationException',
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, ValidTo: new Date(Date.now() + DAY * 1000) })), 'ValidationException');
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ValidTo: new Date(Date.now() + 366 * DAY * 1000) })), 'ValidationException',
      /365 days/);
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ValidTo: new Date(Date.now() - 1000) })), 'ValidationException');
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, ImportType: 'NEW_KEY_MATERIAL', KeyMaterialId: 'a'.repeat(64) })),
      'ValidationException', /KeyMaterialId/);
    // The token is this key's only, and must be one.
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, KeyId: other.KeyId })), 'InvalidImportTokenException');
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, ImportToken: randomBytes(33) })), 'InvalidImportTokenException');
    // Undecryptable material; material of the wrong length.
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, EncryptedKeyMaterial: randomBytes(256) })), 'InvalidCiphertextException');
    const short = wrapOutside(scratch, 'openssl', 'RSAES_OAEP_SHA_256', parameters.PublicKey!, randomBytes(16));
    await rejects(kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY, EncryptedKeyMaterial: short })), 'IncorrectKeyMaterialException',
      /32 bytes/);
    const described = await describeKey(kms, key.KeyId!);
    assert.equal(described.KeyState, 'PendingImport', 'nothing half-written');
    assert.equal(described.CurrentKeyMaterialId, undefined);
    // The same parameters still import, once the request is right.
    await kms.send(new ImportKeyMaterialCommand({ ...request, ...NO_EXPIRY }));

    await rejects(kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' })),
      'ValidationException', /no longer supported/);
    await rejects(kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' })),
      'ValidationException', 'WrappingKeySpec SM2 is not supported in this region.');
    await rejects(kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'RSA_2048' })),
      'ValidationException');
  });

  test('validation, then the key: its existence, then its origin in any state (recorded text)', async () => {
    const missing = { KeyId: '00000000-0000-0000-0000-000000000000', WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' } as const;
    await rejects(kms.send(new GetParametersForImportCommand({ ...missing, WrappingKeySpec: 'RSA_1024' as never })),
      'ValidationException', /at 'wrappingKeySpec' failed to satisfy constraint/);
    await rejects(kms.send(new GetParametersForImportCommand(missing)), 'NotFoundException',
      "Key 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist");
    await rejects(kms.send(new GetParametersForImportCommand({ ...missing, KeyId: 'alias/any' })), 'NotFoundException', "Invalid keyId 'alias/any'");
    const key = await createKey(kms);
    const origin = `${key.Arn} origin is AWS_KMS which is not valid for this operation.`;
    const parameters = { KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' } as const;
    await rejects(kms.send(new GetParametersForImportCommand(parameters)), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new ImportKeyMaterialCommand({
      KeyId: key.KeyId, ImportToken: Buffer.from('t'), EncryptedKeyMaterial: Buffer.from('m'), ...NO_EXPIRY,
    })), 'UnsupportedOperationException', origin);
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new GetParametersForImportCommand(parameters)), 'UnsupportedOperationException', origin);
    // An EXTERNAL key pending deletion: its material can be deleted, not imported; it stays pending deletion.
    const external = await createKey(kms, { Origin: 'EXTERNAL' });
    await importMaterial(external.KeyId!, randomBytes(32));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: external.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new GetParametersForImportCommand({ ...parameters, KeyId: external.KeyId })), 'KMSInvalidStateException',
      `${external.Arn} is pending deletion.`);
    await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: external.KeyId }));
    assert.equal((await describeKey(kms, external.KeyId!)).KeyState, 'PendingDeletion');
  });
});

describe('imported key material on Trent\'s clock', () => {
  const trent = useTrent();
  const kms = trent.client();
  const scratch = new Scratch();
  after(() => { scratch.remove(); });
  const importMaterial = importer(trent, kms, scratch);
  const clock = async (advanceSeconds?: number): Promise<Date> => {
    const res = await fetch(`${trent().endpoint}/-/admin/clock`, advanceSeconds === undefined ? {} : {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds }),
    });
    assert.equal(res.status, 200);
    return new Date(((await res.json()) as { now: string }).now);
  };

  test('material expires at ValidTo: deleted once, with a DeleteExpiredKeyMaterial event; the same material restores the key', async () => {
    const key = await createKey(kms, { Origin: 'EXTERNAL' });
    const material = randomBytes(32);
    const validTo = new Date((await clock()).getTime() + 2 * DAY * 1000);
    const imported = await importMaterial(key.KeyId!, material, { request: { ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo } });
    const described = await describeKey(kms, key.KeyId!);
    assert.equal(described.ExpirationModel, 'KEY_MATERIAL_EXPIRES');
    assert.equal(described.ValidTo!.getTime(), validTo.getTime());
    const listed = (await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))).Rotations!;
    assert.equal(listed[0]!.ValidTo!.getTime(), described.ValidTo!.getTime());
    const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before expiry') }))).CiphertextBlob;

    // As a user moves it: `trent clock advance`.
    execFileSync(process.execPath, [join(REPO, 'bin', 'trent.js'), 'clock', 'advance', '1d', '--endpoint', trent().endpoint]);
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'Enabled', 'not yet');
    await clock(DAY + 60);
    const expired = await describeKey(kms, key.KeyId!);
    assert.equal(expired.KeyState, 'PendingImport');
    assert.equal(expired.ExpirationModel, undefined);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob: blob })), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    // Every worker's scheduler has had its turn: the material was deleted exactly once.
    await new Promise((r) => setTimeout(r, 2_500));
    const { events } = await readTrail(trent().storeArgs, ['--key-id', key.KeyId!, '--event-name', 'DeleteExpiredKeyMaterial']);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.eventType, 'AwsServiceEvent');
    assert.equal(events[0]!.userIdentity.invokedBy, 'AWS Internal');
    assert.deepEqual(events[0]!.resources.map((r) => r.ARN), [key.Arn]);
    assert.deepEqual(events[0]!.serviceEventDetails, { keyId: key.KeyId, keyMaterialId: imported.KeyMaterialId });

    const again = await importMaterial(key.KeyId!, material);
    assert.equal(again.KeyMaterialId, imported.KeyMaterialId);
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString(), 'before expiry');
    assert.equal((await describeKey(kms, key.KeyId!)).ExpirationModel, 'KEY_MATERIAL_DOES_NOT_EXPIRE');
  });

  test('an import token expires after 24 hours on Trent\'s clock', async () => {
    const key = await createKey(kms, { Origin: 'EXTERNAL' });
    const parameters = await kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }));
    const now = await clock();
    const lifetime = parameters.ParametersValidTo!.getTime() - now.getTime();
    assert.ok(Math.abs(lifetime - DAY * 1000) < 5_000, `valid for ${lifetime} ms on Trent's clock`);
    await clock(DAY + 1);
    const wrapped = wrapOutside(scratch, 'node', 'RSAES_OAEP_SHA_1', parameters.PublicKey!, randomBytes(32));
    await rejects(kms.send(new ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ...NO_EXPIRY })),
      'ExpiredImportTokenException');
    assert.equal((await describeKey(kms, key.KeyId!)).KeyState, 'PendingImport');
  });
});

describe('imported key material through the AWS CLI', () => {
  const trent = useTrent();
  const scratch = new Scratch();
  after(() => { scratch.remove(); });

  test('get-parameters-for-import, wrap with openssl, import-key-material from fileb://, then encrypt and decrypt', async () => {
    const aws = (...args: string[]) => execFileSync('aws', ['kms', ...args, '--endpoint-url', trent().endpoint, '--output', 'text'], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH, HOME: scratch.dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_DEFAULT_REGION: 'us-west-2',
      },
    }).trim();
    const keyId = aws('create-key', '--origin', 'EXTERNAL', '--query', 'KeyMetadata.KeyId');
    const [publicKey, token] = aws('get-parameters-for-import', '--key-id', keyId, '--wrapping-algorithm', 'RSA_AES_KEY_WRAP_SHA_256',
      '--wrapping-key-spec', 'RSA_4096', '--query', '[PublicKey,ImportToken]').split('\t');
    const pub = scratch.file(Buffer.from(publicKey!, 'base64'), 'wrapping.der');
    const tokenFile = scratch.file(Buffer.from(token!, 'base64'), 'token.bin');
    const material = scratch.file(openssl('rand', '32'), 'material.bin');
    const aes = randomBytes(32);
    const wrappedAes = openssl('pkeyutl', '-encrypt', '-pubin', '-keyform', 'DER', '-inkey', pub, '-in', scratch.file(aes),
      '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256');
    const wrappedMaterial = openssl('enc', '-id-aes256-wrap-pad', '-K', aes.toString('hex'), '-iv', 'A65959A6', '-in', material);
    const encrypted = scratch.file(Buffer.concat([wrappedAes, wrappedMaterial]), 'encrypted.bin');
    const materialId = aws('import-key-material', '--key-id', keyId, '--encrypted-key-material', `fileb://${encrypted}`,
      '--import-token', `fileb://${tokenFile}`, '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE', '--query', 'KeyMaterialId');
    assert.match(materialId, /^[0-9a-f]{64}$/);
    assert.equal(aws('describe-key', '--key-id', keyId, '--query', 'KeyMetadata.[KeyState,CurrentKeyMaterialId]'), `Enabled\t${materialId}`);
    const blob = scratch.file(Buffer.from(aws('encrypt', '--key-id', keyId, '--plaintext', `fileb://${material}`, '--query', 'CiphertextBlob'), 'base64'));
    const plaintext = aws('decrypt', '--ciphertext-blob', `fileb://${blob}`, '--query', 'Plaintext');
    assert.deepEqual(Buffer.from(plaintext, 'base64'), readFileSync(material));
  });
});
