/**
 * The pure layer of imported key material (src/keys/import.ts and each family's importMaterial): RFC 5649 key
 * wrap against Wycheproof's AES-KWP vectors, unwrapping every wrapping algorithm from material wrapped here with
 * Node's crypto (the e2e test wraps with the openssl CLI), and the check of material against a key spec.
 */
import assert from 'node:assert/strict';
import {
  constants, createCipheriv, createPrivateKey, createPublicKey, generateKeyPairSync, publicEncrypt, randomBytes, type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';

import { familyOf } from '../../src/keys/crypto.js';
import { der } from '../../src/keys/der.js';
import {
  aesKeyUnwrapPadded, aesKeyWrapPadded, checkWrappingPair, importedMaterialId, importTokenId, newImportToken,
  unwrapKeyMaterial, wrappingPublicKey,
} from '../../src/keys/import.js';
import type { KeySpec } from '../../src/model/types.gen.js';
import { throws } from '../support/kms.js';

const VECTORS = join(process.cwd(), '..', 'shared', 'reference', 'wycheproof');

interface KwpVector { tcId: number; key: string; msg: string; ct: string; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }

describe('RFC 5649 AES key wrap with padding', () => {
  const groups = (JSON.parse(readFileSync(join(VECTORS, 'aes_kwp_test.json'), 'utf8')) as { testGroups: Array<{ tests: KwpVector[] }> })
    .testGroups;

  test('Wycheproof AES-KWP: every valid vector unwraps to its message and wraps back to its ciphertext; every invalid one is refused', () => {
    let valid = 0;
    let invalid = 0;
    for (const vector of groups.flatMap((g) => g.tests)) {
      const key = Buffer.from(vector.key, 'hex');
      const ct = Buffer.from(vector.ct, 'hex');
      const unwrapped = aesKeyUnwrapPadded(key, ct);
      if (vector.result === 'valid') {
        assert.deepEqual(unwrapped, Buffer.from(vector.msg, 'hex'), `tcId ${vector.tcId}`);
        assert.deepEqual(aesKeyWrapPadded(key, Buffer.from(vector.msg, 'hex')), ct, `tcId ${vector.tcId}`);
        valid++;
      } else if (vector.result === 'invalid') {
        assert.equal(unwrapped, null, `tcId ${vector.tcId} (${vector.flags.join(', ')}) unwrapped`);
        invalid++;
      }
    }
    assert.equal(valid, 77);
    assert.equal(invalid, 177);
  });

  test('a flipped bit anywhere is refused', () => {
    const kek = randomBytes(32);
    const wrapped = aesKeyWrapPadded(kek, randomBytes(37));
    for (let i = 0; i < wrapped.length; i++) {
      const tampered = Buffer.from(wrapped);
      tampered[i]! ^= 1;
      assert.equal(aesKeyUnwrapPadded(kek, tampered), null, `byte ${i}`);
    }
    assert.equal(aesKeyUnwrapPadded(kek, wrapped.subarray(0, 8)), null);
  });
});

describe('unwrapping imported key material', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const wrappingKey = privateKey.export({ format: 'der', type: 'pkcs8' });
  const publicKey = createPrivateKey({ key: wrappingKey, format: 'der', type: 'pkcs8' });
  const oaep = (key: KeyObject, hash: string, data: Buffer) =>
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);

  test('the public key handed out is the wrapping key pair\'s', () => {
    const spki = wrappingPublicKey(wrappingKey);
    const material = randomBytes(32);
    const wrapped = oaep(createPublicKey({ key: spki, format: 'der', type: 'spki' }), 'sha256', material);
    assert.deepEqual(unwrapKeyMaterial('RSAES_OAEP_SHA_256', wrappingKey, wrapped), material);
  });

  for (const [algorithm, hash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']] as const) {
    test(`${algorithm}: OAEP with ${hash} and MGF1 with ${hash}`, () => {
      const material = randomBytes(32);
      assert.deepEqual(unwrapKeyMaterial(algorithm, wrappingKey, oaep(publicKey, hash, material)), material);
      const other = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha256' : 'sha1';
      throws(() => unwrapKeyMaterial(algorithm, wrappingKey, oaep(publicKey, other, material)), 'InvalidCiphertextException');
    });
  }

  for (const [algorithm, hash] of [['RSA_AES_KEY_WRAP_SHA_1', 'sha1'], ['RSA_AES_KEY_WRAP_SHA_256', 'sha256']] as const) {
    test(`${algorithm}: an OAEP-wrapped AES-256 key, then the material under it with RFC 5649`, () => {
      const material = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' });
      const aes = randomBytes(32);
      const kwp = createCipheriv('id-aes256-wrap-pad', aes, Buffer.from('a65959a6', 'hex'));
      const wrapped = Buffer.concat([oaep(publicKey, hash, aes), kwp.update(material), kwp.final()]);
      assert.deepEqual(unwrapKeyMaterial(algorithm, wrappingKey, wrapped), material);
      const tampered = Buffer.from(wrapped);
      tampered[tampered.length - 1]! ^= 1;
      throws(() => unwrapKeyMaterial(algorithm, wrappingKey, tampered), 'InvalidCiphertextException');
      throws(() => unwrapKeyMaterial(algorithm, wrappingKey, wrapped.subarray(0, 256)), 'InvalidCiphertextException');
      // An AES-128 ephemeral key is not what the algorithm names.
      const short = randomBytes(16);
      const kwp128 = createCipheriv('id-aes128-wrap-pad', short, Buffer.from('a65959a6', 'hex'));
      throws(() => unwrapKeyMaterial(algorithm, wrappingKey, Buffer.concat([oaep(publicKey, hash, short), kwp128.update(material), kwp128.final()])),
        'InvalidCiphertextException');
    });
  }

  test('SM2PKE with an SM2 wrapping key pair', async () => {
    const sm2 = familyOf('SM2');
    const wrapping = await sm2.generate('SM2');
    const material = randomBytes(32);
    const wrapped = sm2.encrypt!('SM2', wrapping, 'SM2PKE', material);
    assert.deepEqual(unwrapKeyMaterial('SM2PKE', wrapping, wrapped), material);
    throws(() => unwrapKeyMaterial('SM2PKE', wrapping, randomBytes(120)), 'InvalidCiphertextException');
  });

  test('wrapping algorithm and key spec must go together; RSAES_PKCS1_V1_5 is withdrawn', () => {
    checkWrappingPair('RSAES_OAEP_SHA_256', 'RSA_4096');
    checkWrappingPair('SM2PKE', 'SM2');
    throws(() => checkWrappingPair('SM2PKE', 'RSA_2048'), 'ValidationException');
    throws(() => checkWrappingPair('RSA_AES_KEY_WRAP_SHA_256', 'SM2'), 'ValidationException');
    throws(() => checkWrappingPair('RSAES_PKCS1_V1_5', 'RSA_2048'), 'ValidationException', /no longer supported/);
  });
});

describe('import tokens and material IDs', () => {
  test('a token names its stored parameters; anything else is no token', () => {
    const { token, tokenId } = newImportToken();
    assert.equal(importTokenId(token), tokenId);
    assert.equal(importTokenId(token.subarray(1)), undefined);
    assert.equal(importTokenId(Buffer.concat([Buffer.of(2), token.subarray(1)])), undefined);
    assert.notEqual(newImportToken().tokenId, tokenId);
  });

  test('a material ID is 64 hex digits, the same for the same key and material, different otherwise', () => {
    const material = randomBytes(32);
    const id = importedMaterialId('111122223333', 'k1', material);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(importedMaterialId('111122223333', 'k1', Buffer.from(material)), id);
    assert.notEqual(importedMaterialId('111122223333', 'k2', material), id);
    assert.notEqual(importedMaterialId('111122223334', 'k1', material), id);
    assert.notEqual(importedMaterialId('111122223333', 'k1', randomBytes(32)), id);
  });
});

describe('imported material must be a key of exactly the key spec', () => {
  const imports = (spec: KeySpec, material: Buffer) => familyOf(spec).importMaterial(spec, material);
  const refuses = (spec: KeySpec, material: Buffer) => throws(() => imports(spec, material), 'IncorrectKeyMaterialException');
  const pkcs8 = (type: 'rsa' | 'ec' | 'ed25519', options: object = {}): Buffer =>
    (generateKeyPairSync(type as 'rsa', options as never).privateKey as unknown as KeyObject).export({ format: 'der', type: 'pkcs8' });

  test('symmetric: 32 bytes', () => {
    assert.equal(imports('SYMMETRIC_DEFAULT', randomBytes(32)).length, 32);
    for (const n of [0, 16, 31, 33, 64]) refuses('SYMMETRIC_DEFAULT', randomBytes(n));
  });

  test('HMAC: from the digest length to the block size', () => {
    const bounds: Array<[KeySpec, number, number]> = [['HMAC_224', 28, 64], ['HMAC_256', 32, 64], ['HMAC_384', 48, 128], ['HMAC_512', 64, 128]];
    for (const [spec, min, max] of bounds) {
      imports(spec, randomBytes(min));
      imports(spec, randomBytes(max));
      refuses(spec, randomBytes(min - 1));
      refuses(spec, randomBytes(max + 1));
    }
  });

  test('RSA: a PKCS #8 RSA key of the spec\'s modulus, re-encoded canonically', () => {
    const key = pkcs8('rsa', { modulusLength: 2048 });
    assert.deepEqual(imports('RSA_2048', key), key);
    refuses('RSA_3072', key);
    refuses('RSA_2048', pkcs8('ec', { namedCurve: 'prime256v1' }));
    refuses('RSA_2048', randomBytes(64));
    // PKCS#1 is not PKCS#8.
    const pkcs1 = createPrivateKey({ key, format: 'der', type: 'pkcs8' }).export({ format: 'der', type: 'pkcs1' });
    refuses('RSA_2048', pkcs1);
  });

  test('ECC: a key on the spec\'s curve', () => {
    for (const [spec, curve] of [['ECC_NIST_P256', 'prime256v1'], ['ECC_NIST_P384', 'secp384r1'], ['ECC_NIST_P521', 'secp521r1'],
      ['ECC_SECG_P256K1', 'secp256k1']] as Array<[KeySpec, string]>) {
      const key = pkcs8('ec', { namedCurve: curve });
      imports(spec, key);
      refuses(spec === 'ECC_NIST_P256' ? 'ECC_NIST_P384' : 'ECC_NIST_P256', key);
    }
    refuses('ECC_NIST_P256', pkcs8('ed25519'));
  });

  test('Ed25519 and SM2', () => {
    imports('ECC_NIST_EDWARDS25519', pkcs8('ed25519'));
    refuses('ECC_NIST_EDWARDS25519', pkcs8('ec', { namedCurve: 'prime256v1' }));
    imports('SM2', pkcs8('ec', { namedCurve: 'SM2' }));
    refuses('SM2', pkcs8('ec', { namedCurve: 'prime256v1' }));
  });

  test('ML-DSA: PKCS #8 with the seed (or seed and expanded key, which must agree); the seed is what is kept', () => {
    const oid = '2.16.840.1.101.3.4.3.18';
    const seed = randomBytes(32);
    const info = (privateKey: Buffer, alg = oid) => der.sequence(der.integer(0n), der.sequence(der.oid(alg)), der.octetString(privateKey));
    const seedForm = Buffer.concat([Buffer.from([0x80, 0x20]), seed]);
    assert.deepEqual(imports('ML_DSA_65', info(seedForm)), seed);
    const expanded = Buffer.from(ml_dsa65.keygen(seed).secretKey);
    assert.deepEqual(imports('ML_DSA_65', info(der.sequence(der.octetString(seed), der.octetString(expanded)))), seed);
    const wrongExpanded = Buffer.from(ml_dsa65.keygen(randomBytes(32)).secretKey);
    refuses('ML_DSA_65', info(der.sequence(der.octetString(seed), der.octetString(wrongExpanded))));
    refuses('ML_DSA_65', info(der.octetString(expanded)));
    refuses('ML_DSA_44', info(seedForm));
    refuses('ML_DSA_65', info(Buffer.concat([Buffer.from([0x80, 0x10]), seed.subarray(0, 16)])));
    refuses('ML_DSA_65', seed);
  });
});
