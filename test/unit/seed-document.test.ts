/**
 * Reading seed files (ops/seed/seed-document.ts): local-kms's forms (current and older), Trent's, and the
 * refusals of what cannot be loaded, each naming where in the file and which key.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { parseSeedText, seedDocument, SeedError } from '../../src/ops/seed/seed-document.js';

const ID = 'bc436485-5092-42b8-92a3-0aa8b93536dc';
const hex32 = () => randomBytes(32).toString('hex');

function refused(data: unknown, reason: RegExp): void {
  assert.throws(() => seedDocument(data, 'seed.yaml'), (e: unknown) => {
    assert.ok(e instanceof SeedError, String(e));
    assert.match(e.message, reason);
    return true;
  });
}

describe("local-kms's seed.yaml", () => {
  test('its older form: Keys is a list of AES keys', () => {
    const [a, b] = [hex32(), hex32()];
    const doc = parseSeedText(`Keys:\n  - Metadata:\n      KeyId: ${ID}\n    BackingKeys: [${a}, ${b}]\nAliases:\n  - AliasName: alias/old\n    TargetKeyId: ${ID}\n`, 'seed.yaml');
    assert.equal(doc.keys.length, 1);
    assert.equal(doc.keys[0]!.keySpec, 'SYMMETRIC_DEFAULT');
    assert.deepEqual(doc.keys[0]!.materials.map((m) => m.material.toString('hex')), [a, b]);
    assert.deepEqual(doc.aliases, [{ aliasName: 'alias/old', targetKeyId: ID }]);
  });

  test('HMAC keys, PEM specs read from the key, NextKeyRotation (Go\'s zero time means none)', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey.export({ format: 'pem', type: 'pkcs1' });
    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ format: 'pem', type: 'sec1' });
    const doc = seedDocument({
      Keys: {
        Symmetric: {
          Aes: [
            { Metadata: { KeyId: ID }, BackingKeys: [hex32()], NextKeyRotation: '2031-02-03T04:05:06Z' },
            { Metadata: { KeyId: '11111111-5092-42b8-92a3-0aa8b93536dc' }, BackingKeys: [hex32()], NextKeyRotation: '0001-01-01T00:00:00Z' },
          ],
          Hmac: [{ Metadata: { KeyId: '22222222-5092-42b8-92a3-0aa8b93536dc', KeySpec: 'HMAC_384' }, BackingKeys: [randomBytes(48).toString('hex')] }],
        },
        Asymmetric: {
          Rsa: [{ Metadata: { KeyId: '33333333-5092-42b8-92a3-0aa8b93536dc', KeyUsage: 'ENCRYPT_DECRYPT', Arn: 'ignored', Enabled: false }, PrivateKeyPem: rsa }],
          Ecc: [{ Metadata: { KeyId: '44444444-5092-42b8-92a3-0aa8b93536dc', KeyUsage: 'SIGN_VERIFY' }, PrivateKeyPem: ec }],
        },
      },
    }, 'seed.yaml');
    const [aes, never, hmac, rsaKey, ecc] = doc.keys;
    assert.deepEqual(aes!.rotation, { periodDays: 365, next: new Date('2031-02-03T04:05:06Z') });
    assert.equal(never!.rotation, undefined);
    assert.equal(hmac!.keySpec, 'HMAC_384');
    assert.equal(hmac!.keyUsage, 'GENERATE_VERIFY_MAC');
    assert.equal(rsaKey!.keySpec, 'RSA_3072');
    assert.equal(rsaKey!.keyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(ecc!.keySpec, 'ECC_NIST_P384');
    // PEMs arrive as PKCS #8 DER, the form ImportKeyMaterial carries.
    assert.equal(ecc!.materials[0]!.material[0], 0x30);
  });

  test('refusals name the place and the key', () => {
    refused({ Keys: { Symmetric: { Aes: [{ Metadata: { KeyId: ID }, BackingKeys: ['xyz'] }] } } }, /Keys\.Symmetric\.Aes\[1\] \(key bc436485-.*\): BackingKeys\[1\]: a backing key is hex/);
    refused({ Keys: { Symmetric: { Aes: [{ Metadata: { KeyId: ID } }] } } }, /at least one backing key must be given/);
    refused({ Keys: { Symmetric: { Hmac: [{ Metadata: { KeyId: ID, KeySpec: 'SYMMETRIC_DEFAULT' }, BackingKeys: [hex32()] }] } } }, /SYMMETRIC_DEFAULT is not an HMAC key spec/);
    refused({ Keys: { Asymmetric: { Ecc: [{ Metadata: { KeyId: ID, KeyUsage: 'SIGN_VERIFY' }, PrivateKeyPem: 'nonsense' }] } } }, /PrivateKeyPem is not an unencrypted ECC private key/);
    refused({ Keys: { Asymmetric: { Rsa: [{ Metadata: { KeyId: ID }, PrivateKeyPem: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) }] } } }, /a RSA_2048 key needs a KeyUsage/);
  });
});

describe("Trent's format", () => {
  test('defaults, tags as a map, a policy as an object, several versions of material', () => {
    const doc = seedDocument({
      Region: 'eu-west-1',
      Keys: [{
        KeyId: ID, Tags: { team: 'a', n: 1 }, Policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] },
        KeyMaterial: [randomBytes(32).toString('base64'), { Material: randomBytes(32).toString('base64'), KeyMaterialId: 'ab'.repeat(32) }],
      }],
    }, 's');
    const key = doc.keys[0]!;
    assert.equal(doc.region, 'eu-west-1');
    assert.equal(key.keySpec, 'SYMMETRIC_DEFAULT');
    assert.equal(key.origin, 'AWS_KMS');
    assert.deepEqual(key.tags, [{ TagKey: 'team', TagValue: 'a' }, { TagKey: 'n', TagValue: '1' }]);
    assert.equal(JSON.parse(key.policy!).Version, '2012-10-17');
    assert.deepEqual(key.materials.map((m) => m.materialId), [undefined, 'ab'.repeat(32)]);
  });

  test('what cannot be loaded is refused before the store is touched', () => {
    const key = (fields: Record<string, unknown>) => ({ Keys: [{ KeyId: ID, ...fields }] });
    refused({ Keys: [], Colour: 1 }, /unknown field Colour/);
    refused(key({ Colour: 1 }), /Keys\[1\]: unknown field Colour/);
    refused({ Keys: [{ KeyId: ID }, { KeyId: ID }] }, /key bc436485-.* is given twice/);
    refused(key({ MultiRegion: true }), /KeyId "bc436485-.*" is not a key ID: a multi-Region key ID is mrk-/);
    refused({ Keys: [{ KeyId: 'mrk-0123456789abcdef0123456789abcdef' }] }, /a key ID is a lowercase UUID/);
    refused(key({ KeySpec: 'AES_128' }), /KeySpec "AES_128" is not one of/);
    refused(key({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }), /KeyUsage "ENCRYPT_DECRYPT" is not one a ECC_NIST_P256 key can have/);
    refused(key({ KeySpec: 'HMAC_256', KeyMaterial: [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')] }), /only symmetric encryption keys have several key materials/);
    refused(key({ RotationPeriodInDays: 30 }), /RotationPeriodInDays must be 90 to 2560, not 30/);
    refused(key({ Origin: 'EXTERNAL', RotationPeriodInDays: 90 }), /automatic rotation is only for symmetric encryption keys of origin AWS_KMS/);
    refused(key({ Origin: 'EXTERNAL', KeyMaterial: [{ Material: randomBytes(32).toString('base64'), KeyMaterialId: 'ab'.repeat(32) }] }), /KeyMaterialId and RotationType are for AWS_KMS keys/);
    refused(key({ KeyMaterial: 'not base64!' }), /KeyMaterial\[1\]: not base64/);
    refused(key({ Tags: { 'aws:reserved': 'x' } }), /Tags: Tags beginning with aws: are reserved/);
    refused(key({ Policy: { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } }), /Policy: /);
    refused({ Keys: [], Aliases: [{ AliasName: 'testing', TargetKeyId: ID }] }, /Aliases\[1\] \(testing\): Alias must start with the prefix "alias\/"/);
    refused({ Keys: [], Aliases: [{ AliasName: 'alias/a', TargetKeyId: ID }, { AliasName: 'alias/a', TargetKeyId: ID }] }, /alias alias\/a is given twice/);
    assert.throws(() => parseSeedText('Keys: [unclosed', 'seed.yaml'), /seed\.yaml: not YAML or JSON/);
  });
});
