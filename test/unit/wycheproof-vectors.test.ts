import assert from 'node:assert/strict';
import { createECDH, createHash, createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';

import { KmsError } from '../../src/model/errors.js';
import type {
  EncryptionAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from '../../src/model/types.gen.js';
import { familyOf } from '../../src/keys/crypto.js';
import * as ecc from '../../src/keys/families/ecc.js';
import * as ed25519 from '../../src/keys/families/ed25519.js';
import * as mldsa from '../../src/keys/families/mldsa.js';
import * as rsa from '../../src/keys/families/rsa.js';

/*
 * Wycheproof vectors (C2SP/wycheproof testvectors_v1) run through the families' own verify, decrypt, derive and
 * mac paths. "valid" must succeed, "invalid" must fail, "acceptable" may do either. Files whose parameters AWS
 * does not offer (e.g. PSS with a salt length other than the digest length) are skipped.
 */

const VECTORS = join(process.cwd(), '..', 'shared', 'reference', 'wycheproof');

interface Vector { tcId: number; result: 'valid' | 'invalid' | 'acceptable'; [field: string]: unknown }
interface Group { tests: Vector[]; [field: string]: unknown }

function load(name: string): Group[] {
  return (JSON.parse(readFileSync(join(VECTORS, name), 'utf8')) as { testGroups: Group[] }).testGroups;
}

const hex = (value: unknown) => Buffer.from(String(value ?? ''), 'hex');

/** The groups with only the vectors KMS could ever see (e.g. no OAEP label, no ML-DSA context). */
function only(groups: Group[], keep: (vector: Vector) => boolean): Group[] {
  return groups.map((group) => ({ ...group, tests: group.tests.filter(keep) }));
}

/** Runs `attempt` for every vector; false or a thrown error counts as refusal. Returns how many were checked. */
function check(file: string, groups: Group[], attempt: (vector: Vector, group: Group) => boolean): number {
  let checked = 0;
  for (const group of groups) {
    for (const vector of group.tests) {
      let accepted: boolean;
      try {
        accepted = attempt(vector, group);
      } catch (error) {
        if (!(error instanceof KmsError) && !(error instanceof Error)) throw error;
        accepted = false;
      }
      if (vector.result === 'valid') assert.ok(accepted, `${file} #${vector.tcId} (valid) was refused`);
      if (vector.result === 'invalid') assert.ok(!accepted, `${file} #${vector.tcId} (invalid) was accepted`);
      checked++;
    }
  }
  return checked;
}

const files = existsSync(VECTORS) ? readdirSync(VECTORS) : [];
function vectorTest(name: string, run: () => void): void {
  test(name, (t) => {
    if (files.length === 0) {
      t.skip(`Wycheproof vectors not found at ${VECTORS}`);
      return;
    }
    run();
  });
}

const ECDSA_FILES: Record<string, [KeySpec, SigningAlgorithmSpec]> = {
  'ecdsa_secp256r1_sha256_test.json': ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  'ecdsa_secp384r1_sha384_test.json': ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  'ecdsa_secp521r1_sha512_test.json': ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  'ecdsa_secp256k1_sha256_test.json': ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
};

for (const [file, [spec, algorithm]] of Object.entries(ECDSA_FILES)) {
  vectorTest(`ECDSA DER verify: ${file}, RAW (OpenSSL) and DIGEST (noble) paths`, () => {
    const groups = load(file);
    const hash = `sha${algorithm.slice(-3)}`;
    check(file, groups, (v, g) => ecc.verifyWithPublicKey(spec, hex(g.publicKeyDer), algorithm, hex(v.msg), 'RAW', hex(v.sig)));
    check(file, groups, (v, g) => {
      const digest = createHash(hash).update(hex(v.msg)).digest();
      return ecc.verifyWithPublicKey(spec, hex(g.publicKeyDer), algorithm, digest, 'DIGEST', hex(v.sig));
    });
  });
}


const ECDH_FILES: Record<string, [KeySpec, string]> = {
  'ecdh_secp256r1_test.json': ['ECC_NIST_P256', 'prime256v1'],
  'ecdh_secp384r1_test.json': ['ECC_NIST_P384', 'secp384r1'],
  'ecdh_secp521r1_test.json': ['ECC_NIST_P521', 'secp521r1'],
};

/** PKCS#8 material for a raw private scalar, built through OpenSSL (ECDH gives the public point, JWK wraps both). */
function ecMaterial(curve: string, scalar: Buffer, fieldBytes: number): Buffer {
  const d = scalar.length > fieldBytes ? scalar.subarray(scalar.length - fieldBytes)
    : Buffer.concat([Buffer.alloc(fieldBytes - scalar.length), scalar]);
  const ecdh = createECDH(curve);
  ecdh.setPrivateKey(d);
  const point = ecdh.getPublicKey();
  const crv = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[curve as 'prime256v1'];
  const b64 = (bytes: Buffer) => bytes.toString('base64url');
  return createPrivateKey({
    key: { kty: 'EC', crv, d: b64(d), x: b64(point.subarray(1, 1 + fieldBytes)), y: b64(point.subarray(1 + fieldBytes)) },
    format: 'jwk',
  }).export({ format: 'der', type: 'pkcs8' });
}

for (const [file, [spec, curve]] of Object.entries(ECDH_FILES)) {
  vectorTest(`ECDH: ${file}`, () => {
    const fieldBytes = { prime256v1: 32, secp384r1: 48, secp521r1: 66 }[curve as 'prime256v1'];
    check(file, load(file), (v) => {
      const material = ecMaterial(curve, hex(v.private), fieldBytes);
      const shared = familyOf(spec).deriveSharedSecret!(spec, material, hex(v.public));
      return shared.equals(hex(v.shared));
    });
  });
}

vectorTest('Ed25519 verify: ed25519_test.json', () => {
  check('ed25519_test.json', load('ed25519_test.json'), (v, g) =>
    ed25519.verifyWithPublicKey('ECC_NIST_EDWARDS25519', hex(g.publicKeyDer), 'ED25519_SHA_512', hex(v.msg), 'RAW', hex(v.sig)));
});

const HMAC_FILES: Record<string, [KeySpec, MacAlgorithmSpec]> = {
  'hmac_sha224_test.json': ['HMAC_224', 'HMAC_SHA_224'], 'hmac_sha256_test.json': ['HMAC_256', 'HMAC_SHA_256'],
  'hmac_sha384_test.json': ['HMAC_384', 'HMAC_SHA_384'], 'hmac_sha512_test.json': ['HMAC_512', 'HMAC_SHA_512'],
};

for (const [file, [spec, algorithm]] of Object.entries(HMAC_FILES)) {
  vectorTest(`HMAC: ${file} (full-length tags, as VerifyMac compares)`, () => {
    const groups = load(file).filter((g) => g.tagSize === Number(spec.slice(5)));
    assert.ok(groups.length > 0);
    check(file, groups, (v) => familyOf(spec).mac!(spec, hex(v.key), algorithm, hex(v.msg)).equals(hex(v.tag)));
  });
}

/** The KMS key spec for an RSA modulus size, where KMS has one. */
const rsaSpec = (bits: unknown) => ({ 2048: 'RSA_2048', 3072: 'RSA_3072', 4096: 'RSA_4096' } as Record<number, KeySpec>)[Number(bits)];

vectorTest('RSA-PSS verify (salt length = digest length, MGF1 with the same hash)', () => {
  const names = files.filter((f) => /^rsa_pss_\d+_sha(256|384|512)_mgf1_(32|48|64)_test\.json$/.test(f));
  let checked = 0;
  for (const file of names) {
    const [, bits, sha, salt] = /rsa_pss_(\d+)_sha(\d+)_mgf1_(\d+)/.exec(file)!;
    if (Number(salt) * 8 !== Number(sha)) continue; // AWS fixes the salt length to the digest length
    const spec = rsaSpec(bits)!;
    const algorithm = `RSASSA_PSS_SHA_${sha}` as SigningAlgorithmSpec;
    checked += check(file, load(file), (v, g) => rsa.verifyWithPublicKey(spec, hex(g.publicKeyDer), algorithm, hex(v.msg), 'RAW', hex(v.sig)));
  }
  assert.ok(checked > 500, `checked ${checked}`);
});

vectorTest('RSA PKCS#1 v1.5 signature verify', () => {
  let checked = 0;
  for (const file of files.filter((f) => /^rsa_signature_\d+_sha(256|384|512)_test\.json$/.test(f))) {
    const [, bits, sha] = /rsa_signature_(\d+)_sha(\d+)/.exec(file)!;
    const algorithm = `RSASSA_PKCS1_V1_5_SHA_${sha}` as SigningAlgorithmSpec;
    checked += check(file, load(file), (v, g) => rsa.verifyWithPublicKey(rsaSpec(bits)!, hex(g.publicKeyDer), algorithm, hex(v.msg), 'RAW', hex(v.sig)));
  }
  assert.ok(checked > 1000, `checked ${checked}`);
});

vectorTest('RSA-OAEP decrypt (MGF1 with the same hash, empty label)', () => {
  let checked = 0;
  for (const file of files.filter((f) => /^rsa_oaep_\d+_(sha1_mgf1sha1|sha256_mgf1sha256)_test\.json$/.test(f))) {
    const [, bits, sha] = /rsa_oaep_(\d+)_sha(1|256)_/.exec(file)!;
    const algorithm = `RSAES_OAEP_SHA_${sha}` as EncryptionAlgorithmSpec;
    const groups = only(load(file), (v) => hex(v.label).length === 0); // KMS never uses a label
    checked += check(file, groups, (v, g) => {
      const material = Buffer.from(String(g.privateKeyPkcs8), 'hex');
      return familyOf(rsaSpec(bits)!).decrypt!(rsaSpec(bits)!, material, algorithm, hex(v.ct)).equals(hex(v.msg));
    });
  }
  assert.ok(checked > 100, `checked ${checked}`);
});

const ML_DSA: Record<string, [KeySpec, typeof ml_dsa44]> = {
  44: ['ML_DSA_44', ml_dsa44], 65: ['ML_DSA_65', ml_dsa65], 87: ['ML_DSA_87', ml_dsa87],
};

for (const [level, [spec, dsa]] of Object.entries(ML_DSA)) {
  vectorTest(`ML-DSA-${level} verify (empty context)`, () => {
    const file = `mldsa_${level}_verify_test.json`;
    // KMS signs with an empty context only.
    const groups = only(load(file).filter((g) => g.publicKeyDer !== undefined), (v) => hex(v.ctx).length === 0);
    check(file, groups, (v, g) => {
      return mldsa.verifyWithPublicKey(spec, hex(g.publicKeyDer), 'ML_DSA_SHAKE_256', hex(v.msg), 'RAW', hex(v.sig));
    });
  });

  vectorTest(`ML-DSA-${level} sign from seed: keys match, RAW and μ signatures verify`, () => {
    const file = `mldsa_${level}_sign_seed_test.json`;
    let checked = 0;
    for (const group of load(file)) {
      const seed = hex(group.privateSeed);
      if (seed.length !== 32) continue;
      const family = familyOf(spec);
      const spki = family.publicKey!(spec, seed);
      assert.deepEqual(spki.subarray(-dsa.lengths.publicKey!), hex(group.publicKey), `${file}: public key from seed`);
      for (const vector of group.tests.slice(0, 4)) {
        if (vector.result !== 'valid' || hex(vector.ctx).length > 0 || vector.msg === undefined) continue;
        const messageType: MessageType = vector.mu && checked % 2 ? 'EXTERNAL_MU' : 'RAW';
        const input = messageType === 'EXTERNAL_MU' ? hex(vector.mu) : hex(vector.msg);
        const signature = family.sign!(spec, seed, 'ML_DSA_SHAKE_256', input, messageType);
        assert.ok(dsa.verify(signature, hex(vector.msg), hex(group.publicKey)), `${file} #${vector.tcId} ${messageType}`);
        checked++;
      }
    }
    assert.ok(checked > 0);
  });
}
