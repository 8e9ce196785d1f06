import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  constants, createECDH, createHash, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync,
  privateDecrypt, publicEncrypt, randomBytes, verify,
} from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ed25519ph } from '@noble/curves/ed25519.js';
import { shake256 } from '@noble/hashes/sha3.js';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { p256 } from '@noble/curves/nist.js';

import { encodeSignature } from '../../src/keys/der.js';

import { KmsError } from '../../src/model/errors.js';
import type { KeySpec, MessageType, SigningAlgorithmSpec } from '../../src/model/types.gen.js';
import { familyOf } from '../../src/keys/crypto.js';
import { KEY_SPECS } from '../../src/keys/specs.js';
import { throws } from '../support/kms.js';

const ALL_SPECS = Object.keys(KEY_SPECS) as KeySpec[];
const message = Buffer.from('Trent signs what it is given, exactly once.');
const materials = new Map<KeySpec, Buffer>();
const material = (spec: KeySpec) => materials.get(spec)!;
const work = mkdtempSync(join(tmpdir(), 'trent-keys-'));

before(async () => {
  // One key per spec, generated concurrently: RSA runs on the threadpool, the rest are quick.
  await Promise.all(ALL_SPECS.map(async (spec) => materials.set(spec, await familyOf(spec).generate(spec))));
});
after(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, content: Buffer | string): string {
  const path = join(work, name);
  writeFileSync(path, content);
  return path;
}

function openssl(...args: string[]): Buffer {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

const hashOf = (algorithm: SigningAlgorithmSpec) =>
  algorithm === 'SM2DSA' ? 'sm3' : algorithm.endsWith('384') ? 'sha384' : algorithm.endsWith('512') ? 'sha512' : 'sha256';

const digest = (algorithm: SigningAlgorithmSpec, data: Buffer) => createHash(hashOf(algorithm)).update(data).digest();

function signingPairs(): Array<[KeySpec, SigningAlgorithmSpec]> {
  return ALL_SPECS.flatMap((spec) =>
    (KEY_SPECS[spec].usages.SIGN_VERIFY?.SigningAlgorithms ?? []).map((algorithm) => [spec, algorithm] as [KeySpec, SigningAlgorithmSpec]));
}

describe('key material', () => {
  test('has the encodings the store expects', () => {
    assert.equal(material('SYMMETRIC_DEFAULT').length, 32);
    assert.deepEqual(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'].map((s) => material(s as KeySpec).length), [28, 32, 48, 64]);
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) assert.equal(material(spec).length, 32);
    for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'SM2'] as const) {
      assert.doesNotThrow(() => createPrivateKey({ key: material(spec), format: 'der', type: 'pkcs8' }), spec);
    }
    assert.equal(createPrivateKey({ key: material('RSA_4096'), format: 'der', type: 'pkcs8' }).asymmetricKeyDetails?.modulusLength, 4096);
  });

  test('public keys are SubjectPublicKeyInfo that OpenSSL parses', () => {
    for (const spec of ALL_SPECS) {
      const family = familyOf(spec);
      if (!family.publicKey) continue;
      const spki = family.publicKey(spec, material(spec));
      if (spec.startsWith('ML_DSA')) continue; // OpenSSL 3.0 predates ML-DSA; checked against noble below
      const text = openssl('pkey', '-pubin', '-inform', 'DER', '-in', file(`${spec}.spki`, spki), '-noout', '-text').toString();
      assert.match(text, /Public-Key|ED25519/, spec);
    }
    const p256 = familyOf('ECC_NIST_P256').publicKey!('ECC_NIST_P256', material('ECC_NIST_P256'));
    assert.equal(p256.length, 91, 'named curve, uncompressed point');
    const sm2Text = openssl('asn1parse', '-inform', 'DER', '-in', file('sm2.spki', familyOf('SM2').publicKey!('SM2', material('SM2')))).toString();
    assert.match(sm2Text, /id-ecPublicKey/);
    assert.match(sm2Text, /:sm2/i);
  });

  test('ML-DSA public keys carry the FIPS 204 OIDs and the key derived from the seed', () => {
    const oids = { ML_DSA_44: '2.16.840.1.101.3.4.3.17', ML_DSA_65: '2.16.840.1.101.3.4.3.18', ML_DSA_87: '2.16.840.1.101.3.4.3.19' };
    const dsas = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 };
    for (const spec of ['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87'] as const) {
      const spki = familyOf(spec).publicKey!(spec, material(spec));
      const parsed = openssl('asn1parse', '-inform', 'DER', '-in', file(`${spec}.spki`, spki)).toString();
      assert.match(parsed, new RegExp(oids[spec].replaceAll('.', '\\.')), spec);
      assert.deepEqual(spki.subarray(-dsas[spec].lengths.publicKey!), Buffer.from(dsas[spec].keygen(material(spec)).publicKey));
    }
  });
});

/** Verifies with something other than the family: Node/OpenSSL, the openssl CLI, or noble for what OpenSSL 3.0 lacks. */
function independentlyVerified(spec: KeySpec, algorithm: SigningAlgorithmSpec, signed: Buffer, signature: Buffer,
  type: MessageType): boolean {
  const spki = familyOf(spec).publicKey!(spec, material(spec));
  const key = spec.startsWith('ML_DSA') ? undefined : createPublicKey({ key: spki, format: 'der', type: 'spki' });
  if (!key) {
    const dsa = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 }[spec as 'ML_DSA_44'];
    assert.ok(type === 'RAW' || type === 'EXTERNAL_MU');
    return dsa.verify(signature, signed, spki.subarray(-dsa.lengths.publicKey!));
  }
  if (algorithm.startsWith('RSASSA_PSS')) {
    return verify(hashOf(algorithm), signed, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: digest(algorithm, Buffer.alloc(0)).length }, signature);
  }
  if (algorithm.startsWith('RSASSA_PKCS1') || algorithm.startsWith('ECDSA')) {
    return verify(hashOf(algorithm), signed, { key, dsaEncoding: 'der' }, signature);
  }
  if (algorithm === 'ED25519_SHA_512') return verify(null, signed, key, signature);
  if (algorithm === 'ED25519_PH_SHA_512') return ed25519ph.verify(signature, digest(algorithm, signed), spki.subarray(-32), { zip215: false });
  assert.equal(algorithm, 'SM2DSA');
  {
    try {
      openssl('dgst', '-sm3', '-sigopt', 'distid:1234567812345678', '-verify',
        file('sm2.pem', key.export({ format: 'pem', type: 'spki' })), '-signature', file('sm2.sig', signature), file('sm2.msg', signed));
      return true;
    } catch {
      return false;
    }
  }
}

/** SM2's e = SM3(Z_A || M) with the default ID, computed here independently of the family. */
function sm2Digest(spki: Buffer, data: Buffer): Buffer {
  const hex = (value: string) => Buffer.from(value, 'hex');
  const z = createHash('sm3').update(Buffer.concat([
    Buffer.from([0x00, 0x80]), Buffer.from('1234567812345678'),
    hex('fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc'),
    hex('28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93'),
    hex('32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7'),
    hex('bc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0'),
    spki.subarray(-64),
  ])).digest();
  return createHash('sm3').update(z).update(data).digest();
}

/** ML-DSA's μ = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64): pure signing, empty context (FIPS 204 §5.2). */
function externalMu(spki: Buffer, publicKeyLength: number, data: Buffer): Buffer {
  const tr = shake256(spki.subarray(-publicKeyLength), { dkLen: 64 });
  return Buffer.from(shake256(Buffer.concat([tr, Buffer.from([0, 0]), data]), { dkLen: 64 }));
}

describe('signing: every key spec × algorithm × message type', () => {
  for (const [spec, algorithm] of signingPairs()) {
    const types: MessageType[] = spec.startsWith('ML_DSA') ? ['RAW', 'EXTERNAL_MU']
      : algorithm === 'ED25519_SHA_512' ? ['RAW'] : algorithm === 'ED25519_PH_SHA_512' ? ['DIGEST'] : ['RAW', 'DIGEST'];
    for (const type of types) {
      test(`${spec} ${algorithm} ${type}`, () => {
        const family = familyOf(spec);
        const spki = family.publicKey!(spec, material(spec));
        let input: Buffer = message;
        if (type === 'DIGEST') input = algorithm === 'SM2DSA' ? sm2Digest(spki, message) : digest(algorithm, message);
        if (type === 'EXTERNAL_MU') input = externalMu(spki, { ML_DSA_44: 1312, ML_DSA_65: 1952, ML_DSA_87: 2592 }[spec as 'ML_DSA_44'], message);
        const signature = family.sign!(spec, material(spec), algorithm, input, type);
        // Whatever the message type, the signature covers the original message.
        assert.ok(independentlyVerified(spec, algorithm, message, signature, type), 'independent verifier accepts');
        assert.ok(family.verify!(spec, material(spec), algorithm, input, type, signature), 'family accepts');
        const tampered = Buffer.from(input);
        tampered[0]! ^= 1;
        assert.equal(family.verify!(spec, material(spec), algorithm, tampered, type, signature), false, 'tampered message');
        const forged = Buffer.from(signature);
        forged[forged.length - 1]! ^= 1;
        assert.equal(family.verify!(spec, material(spec), algorithm, input, type, forged), false, 'tampered signature');
      });
    }
  }

  test('a DIGEST is signed as given, never hashed again', () => {
    const spec = 'ECC_NIST_P256';
    const prehashed = digest('ECDSA_SHA_256', message);
    const signature = familyOf(spec).sign!(spec, material(spec), 'ECDSA_SHA_256', prehashed, 'DIGEST');
    assert.ok(familyOf(spec).verify!(spec, material(spec), 'ECDSA_SHA_256', message, 'RAW', signature));
  });

  test('a digest of the wrong length is refused with AWS text', () => {
    for (const [spec, algorithm] of signingPairs()) {
      if (algorithm === 'ED25519_SHA_512' || algorithm === 'ML_DSA_SHAKE_256') continue;
      throws(() => familyOf(spec).sign!(spec, material(spec), algorithm, Buffer.alloc(20), 'DIGEST'),
        'ValidationException', `Digest is invalid length for algorithm ${algorithm}.`);
    }
    throws(() => familyOf('ML_DSA_44').sign!('ML_DSA_44', material('ML_DSA_44'), 'ML_DSA_SHAKE_256', Buffer.alloc(32), 'EXTERNAL_MU'),
      'ValidationException', 'Digest is invalid length for algorithm ML_DSA_SHAKE_256.');
  });

  test('message types an algorithm does not take are refused', () => {
    const refused: Array<[KeySpec, SigningAlgorithmSpec, MessageType]> = [
      ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512', 'DIGEST'], ['ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'RAW'],
      ['ML_DSA_65', 'ML_DSA_SHAKE_256', 'DIGEST'], ['ECC_NIST_P256', 'ECDSA_SHA_256', 'EXTERNAL_MU'],
      ['RSA_2048', 'RSASSA_PSS_SHA_256', 'EXTERNAL_MU'],
    ];
    for (const [spec, algorithm, type] of refused) {
      assert.throws(() => familyOf(spec).sign!(spec, material(spec), algorithm, Buffer.alloc(64), type),
        (error: unknown) => error instanceof KmsError && error.type === 'ValidationException', `${algorithm} ${type}`);
    }
  });

  test('an algorithm not listed for the key spec is refused with AWS text', () => {
    throws(() => familyOf('ECC_NIST_P521').sign!('ECC_NIST_P521', material('ECC_NIST_P521'), 'ECDSA_SHA_256', message, 'RAW'),
      'InvalidKeyUsageException', 'Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P521.');
    throws(() => familyOf('RSA_2048').verify!('RSA_2048', material('RSA_2048'), 'ECDSA_SHA_256', message, 'RAW', Buffer.alloc(256)),
      'InvalidKeyUsageException', 'Algorithm ECDSA_SHA_256 is incompatible with key spec RSA_2048.');
  });
});

describe('RSA OAEP', () => {
  const limits = { RSA_2048: [214, 190], RSA_3072: [342, 318], RSA_4096: [470, 446] } as const;
  for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const) {
    for (const [index, algorithm] of (['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] as const).entries()) {
      test(`${spec} ${algorithm}: interoperates with OpenSSL and enforces AWS's plaintext limit`, () => {
        const family = familyOf(spec);
        const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256';
        const limit = limits[spec][index]!;
        const plaintext = randomBytes(limit);
        const spki = family.publicKey!(spec, material(spec));
        const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
        const outside = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext);
        assert.deepEqual(family.decrypt!(spec, material(spec), algorithm, outside), plaintext);
        const inside = family.encrypt!(spec, material(spec), algorithm, plaintext);
        assert.deepEqual(privateDecrypt({ key: createPrivateKey({ key: material(spec), format: 'der', type: 'pkcs8' }), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, inside), plaintext);
        throws(() => family.encrypt!(spec, material(spec), algorithm, randomBytes(limit + 1)),
          'ValidationException', `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${limit} bytes.`);
        const corrupted = Buffer.from(inside);
        corrupted[10]! ^= 1;
        throws(() => family.decrypt!(spec, material(spec), algorithm, corrupted), 'InvalidCiphertextException', '');
      });
    }
  }

  test('a ciphertext made with the other OAEP hash does not decrypt', () => {
    const inside = familyOf('RSA_2048').encrypt!('RSA_2048', material('RSA_2048'), 'RSAES_OAEP_SHA_1', message);
    throws(() => familyOf('RSA_2048').decrypt!('RSA_2048', material('RSA_2048'), 'RSAES_OAEP_SHA_256', inside), 'InvalidCiphertextException', '');
  });
});

describe('SM2PKE', () => {
  test('decrypts what openssl pkeyutl encrypts, and the reverse', () => {
    const family = familyOf('SM2');
    const spki = createPublicKey({ key: family.publicKey!('SM2', material('SM2')), format: 'der', type: 'spki' });
    const publicPem = file('sm2-pub.pem', spki.export({ format: 'pem', type: 'spki' }));
    const privatePem = file('sm2-key.pem', createPrivateKey({ key: material('SM2'), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }));
    const plaintext = randomBytes(100);
    const outside = openssl('pkeyutl', '-encrypt', '-pubin', '-inkey', publicPem, '-in', file('sm2.pt', plaintext));
    assert.deepEqual(family.decrypt!('SM2', material('SM2'), 'SM2PKE', outside), plaintext);
    const inside = family.encrypt!('SM2', material('SM2'), 'SM2PKE', plaintext);
    assert.deepEqual(openssl('pkeyutl', '-decrypt', '-inkey', privatePem, '-in', file('sm2.ct', inside)), plaintext);
    const corrupted = Buffer.from(inside);
    corrupted[corrupted.length - 1]! ^= 1;
    throws(() => family.decrypt!('SM2', material('SM2'), 'SM2PKE', corrupted), 'InvalidCiphertextException', '');
    throws(() => family.decrypt!('SM2', material('SM2'), 'SM2PKE', randomBytes(120)), 'InvalidCiphertextException', '');
  });
});

describe('ECDH', () => {
  const curves = { ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1' } as const;
  for (const [spec, namedCurve] of Object.entries(curves) as Array<[KeySpec, string]>) {
    test(`${spec}: both sides derive the same secret`, () => {
      const peer = generateKeyPairSync('ec', { namedCurve });
      const peerSpki = peer.publicKey.export({ format: 'der', type: 'spki' });
      const ours = familyOf(spec).deriveSharedSecret!(spec, material(spec), peerSpki);
      const kmsPublic = createPublicKey({ key: familyOf(spec).publicKey!(spec, material(spec)), format: 'der', type: 'spki' });
      assert.deepEqual(ours, diffieHellman({ privateKey: peer.privateKey, publicKey: kmsPublic }));
      assert.equal(ours.length, { ECC_NIST_P256: 32, ECC_NIST_P384: 48, ECC_NIST_P521: 66 }[spec as 'ECC_NIST_P256']);
    });
  }

  test('SM2: both sides derive the same secret', () => {
    const peer = createECDH('SM2');
    peer.generateKeys();
    const peerSpki = Buffer.concat([Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'), peer.getPublicKey()]);
    const ours = familyOf('SM2').deriveSharedSecret!('SM2', material('SM2'), peerSpki);
    const kmsPoint = familyOf('SM2').publicKey!('SM2', material('SM2')).subarray(-65);
    assert.deepEqual(ours, peer.computeSecret(kmsPoint));
  });

  test('a malformed peer key or one on another curve is a ValidationException', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'der', type: 'spki' });
    throws(() => familyOf('ECC_NIST_P256').deriveSharedSecret!('ECC_NIST_P256', material('ECC_NIST_P256'), p384), 'ValidationException', '');
    throws(() => familyOf('ECC_NIST_P256').deriveSharedSecret!('ECC_NIST_P256', material('ECC_NIST_P256'), randomBytes(91)), 'ValidationException', '');
    throws(() => familyOf('SM2').deriveSharedSecret!('SM2', material('SM2'), p384), 'ValidationException', '');
  });
});

describe('HMAC', () => {
  test('MACs with the spec hash and refuses another algorithm with AWS text', () => {
    const mac = familyOf('HMAC_384').mac!('HMAC_384', material('HMAC_384'), 'HMAC_SHA_384', message);
    assert.deepEqual(mac, Buffer.from(openssl('mac', '-digest', 'SHA384', '-macopt', `hexkey:${material('HMAC_384').toString('hex')}`,
      '-in', file('mac.msg', message), 'HMAC').toString().trim(), 'hex'));
    throws(() => familyOf('HMAC_224').mac!('HMAC_224', material('HMAC_224'), 'HMAC_SHA_256', message),
      'InvalidKeyUsageException', 'Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.');
  });
});

describe('ECDSA and SM2DSA DIGEST signing (blinded BigInt arithmetic) and DIGEST verification (via OpenSSL)', () => {
  const curves = [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P384', 'ECDSA_SHA_384'], ['ECC_NIST_P521', 'ECDSA_SHA_512'],
    ['ECC_SECG_P256K1', 'ECDSA_SHA_256']] as const;
  for (const [spec, algorithm] of curves) {
    test(`${spec}: signatures across several nonce batches all verify with OpenSSL`, () => {
      const family = familyOf(spec);
      const key = createPublicKey({ key: family.publicKey!(spec, material(spec)), format: 'der', type: 'spki' });
      for (let i = 0; i < 150; i++) {
        const data = randomBytes(16);
        const signature = family.sign!(spec, material(spec), algorithm, digest(algorithm, data), 'DIGEST');
        assert.ok(verify(hashOf(algorithm), data, { key, dsaEncoding: 'der' }, signature), `signature ${i}`);
        assert.ok(family.verify!(spec, material(spec), algorithm, digest(algorithm, data), 'DIGEST', signature), `verify ${i}`);
      }
    });
  }

  test('SM2: signatures across several nonce batches all verify', () => {
    const family = familyOf('SM2');
    for (let i = 0; i < 150; i++) {
      const e = randomBytes(32);
      const signature = family.sign!('SM2', material('SM2'), 'SM2DSA', e, 'DIGEST');
      assert.ok(family.verify!('SM2', material('SM2'), 'SM2DSA', e, 'DIGEST', signature), `signature ${i}`);
    }
  });

  test('a DIGEST signature is judged right when the shifted key Q + t·G is the point at infinity', () => {
    // Built so that Q = −t·G with t = (e − e0)/r, e0 = SHA-256(""): then s = k⁻¹·e0 makes (r, s) valid for e.
    const { n } = p256.Point.CURVE();
    const big = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    const bytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
    const modN = (value: bigint) => ((value % n) + n) % n;
    const inverse = (value: bigint) => { // Fermat: n is prime
      let result = 1n;
      for (let base = modN(value), power = n - 2n; power > 0n; power >>= 1n, base = (base * base) % n) {
        if (power & 1n) result = (result * base) % n;
      }
      return result;
    };
    const nonce = createECDH('prime256v1');
    nonce.generateKeys();
    const r = modN(big(nonce.getPublicKey().subarray(1, 33)));
    const e = digest('ECDSA_SHA_256', message);
    const e0 = big(createHash('sha256').digest());
    const d = modN(-(big(e) - e0) * inverse(r));
    const s = modN(inverse(big(nonce.getPrivateKey())) * e0);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(bytes(d));
    const point = ecdh.getPublicKey();
    const b64 = (value: Buffer) => value.toString('base64url');
    const keyMaterial = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', d: b64(bytes(d)), x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) }, format: 'jwk',
    }).export({ format: 'der', type: 'pkcs8' });
    const signature = encodeSignature(r, s);
    assert.ok(p256.verify(Buffer.concat([bytes(r), bytes(s)]), e, point, { prehash: false, lowS: false, format: 'compact' }));
    const family = familyOf('ECC_NIST_P256');
    assert.ok(family.verify!('ECC_NIST_P256', keyMaterial, 'ECDSA_SHA_256', e, 'DIGEST', signature));
    assert.equal(family.verify!('ECC_NIST_P256', keyMaterial, 'ECDSA_SHA_256', e, 'DIGEST', encodeSignature(r, modN(s + 1n))), false);
  });
});
