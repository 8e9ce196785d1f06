/**
 * Seed files and given key material: local-kms's seed.yaml loaded as it is (AES with two backing keys, HMAC, RSA
 * and ECC PEM keys made by openssl, EXTERNAL keys, aliases), twice without change; the keys' IDs, aliases, public
 * keys and MACs are the file's, checked outside Trent (Node crypto); a file contradicting the store stops the
 * start naming the key or alias; LocalStack's `_custom_key_material_` tag through boto3; Trent's own format with
 * startTrent({ seed }), and `trent export` loaded back into a fresh Trent making the same keys.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, createHmac, createPrivateKey, createPublicKey, randomBytes, verify, constants } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateMacCommand, GetKeyPolicyCommand,
  GetKeyRotationStatusCommand, GetPublicKeyCommand, KMSClient, ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand,
  ListResourceTagsCommand, RotateKeyOnDemandCommand, SignCommand,
} from '@aws-sdk/client-kms';
import { startTrent as startInProcess } from 'trent';
import { readTrail } from '../support/audit.js';
import { credentialsFrom, REPO, startTrent, useTrent } from '../support/trent.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'trent-seed-'));

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8' });
}

const AES = 'bc436485-5092-42b8-92a3-0aa8b93536dc';
const HMAC = '49c5492b-b1bc-42a8-9a5c-b2015e810c1c';
const RSA = '800d5768-3fd7-4edd-a4b8-4c81c3e4c147';
const ECC = '5c2ba7b2-5e4c-4c5b-8e8e-9a4a2f7c3d11';
const EXT_EMPTY = '0d2e4d4f-0f9b-4a4b-9a65-6c5b7c8d9e0f';
const EXT_FULL = '1e3f5e6a-1a2b-4c3d-8e4f-5a6b7c8d9e0f';
const aesBacking = [randomBytes(32), randomBytes(32)];
const hmacKey = randomBytes(32);
const extKey = randomBytes(32);

/** local-kms's seed.yaml, as its README writes one. */
function localKmsSeed(rsaPem: string, eccPem: string, backing = aesBacking, aesAlias = AES): string {
  const indent = (pem: string) => pem.trim().split('\n').map((l) => `          ${l}`).join('\n');
  return `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: ${AES}
          Description: "an AES key with two backing keys"
        BackingKeys:
${backing.map((k) => `          - ${k.toString('hex')}`).join('\n')}
      - Metadata:
          KeyId: ${EXT_EMPTY}
          Origin: EXTERNAL
      - Metadata:
          KeyId: ${EXT_FULL}
          Origin: EXTERNAL
        BackingKeys:
          - ${extKey.toString('hex')}
    Hmac:
      - Metadata:
          KeyId: ${HMAC}
          KeySpec: HMAC_256
          KeyUsage: GENERATE_VERIFY_MAC
        BackingKeys:
          - ${hmacKey.toString('hex')}
  Asymmetric:
    Rsa:
      - Metadata:
          KeyId: ${RSA}
          KeyUsage: SIGN_VERIFY
          Description: RSA signing key
        PrivateKeyPem: |
${indent(rsaPem)}
    Ecc:
      - Metadata:
          KeyId: ${ECC}
          KeyUsage: SIGN_VERIFY
        PrivateKeyPem: |
${indent(eccPem)}

Aliases:
  - AliasName: alias/testing
    TargetKeyId: ${aesAlias}
  - AliasName: alias/signing
    TargetKeyId: ${RSA}
`;
}

describe('local-kms seed.yaml, loaded as it is', () => {
  // openssl writes the keys local-kms's users have: RSA as PKCS #8 (OpenSSL 3), EC as SEC 1 ("EC PRIVATE KEY").
  const rsaPem = openssl('genrsa', '2048');
  const eccPem = openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout');
  const seedFile = join(dir, 'seed.yaml');
  writeFileSync(seedFile, localKmsSeed(rsaPem, eccPem));
  const trent = useTrent({ args: ['--seed', seedFile, '--region', 'us-west-2'] });
  const kms = trent.client();
  let ciphertext: Uint8Array;

  async function checkKeys(): Promise<void> {
    const ids = (await kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId).sort();
    assert.deepEqual(ids, [AES, HMAC, RSA, ECC, EXT_EMPTY, EXT_FULL].sort());
    const aes = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/testing' }))).KeyMetadata!;
    assert.equal(aes.KeyId, AES);
    assert.equal(aes.Description, 'an AES key with two backing keys');
    assert.equal(aes.KeyState, 'Enabled');
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: AES, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.equal(rotations.Rotations!.length, 2);
    // Oldest first, the last current: each version's ID is the one computed from its backing key, as an imported
    // material's ID is (keys/import.ts: SHA-256 over a label, the account, the key ID and the material).
    const idOf = (k: Buffer) => createHash('sha256').update('trent/v1/imported-key-material-id\0')
      .update(`111122223333\0${AES}\0`).update(k).digest('hex');
    assert.deepEqual(rotations.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState]),
      [[idOf(aesBacking[0]!), 'NON_CURRENT'], [idOf(aesBacking[1]!), 'CURRENT']]);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/signing' }))).KeyMetadata!.KeyId, RSA);
    const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => [a.AliasName, a.TargetKeyId]);
    assert.deepEqual(aliases.sort(), [['alias/signing', RSA], ['alias/testing', AES]]);

    // The public keys are the PEMs' own, byte for byte, and signatures verify with them outside Trent.
    const message = Buffer.from('signed by a seeded key');
    for (const [keyId, pem, algorithm] of [[RSA, rsaPem, 'RSASSA_PSS_SHA_256'], [ECC, eccPem, 'ECDSA_SHA_256']] as const) {
      const spki = createPublicKey(createPrivateKey(pem)).export({ format: 'der', type: 'spki' });
      const { PublicKey, KeySpec } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
      assert.deepEqual(Buffer.from(PublicKey!), spki, keyId);
      assert.equal(KeySpec, keyId === RSA ? 'RSA_2048' : 'ECC_NIST_P256');
      const { Signature } = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: algorithm }));
      const key = createPublicKey(pem);
      const ok = keyId === RSA
        ? verify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, Signature!)
        : verify('sha256', message, key, Signature!);
      assert.ok(ok, `${keyId}'s signature verifies with the PEM's public key`);
    }

    // HMAC: the MAC computed outside with the backing key.
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: HMAC, MacAlgorithm: 'HMAC_SHA_256', Message: message }));
    assert.deepEqual(Buffer.from(Mac!), createHmac('sha256', hmacKey).update(message).digest());

    const empty = (await kms.send(new DescribeKeyCommand({ KeyId: EXT_EMPTY }))).KeyMetadata!;
    assert.equal(empty.Origin, 'EXTERNAL');
    assert.equal(empty.KeyState, 'PendingImport');
    const full = (await kms.send(new DescribeKeyCommand({ KeyId: EXT_FULL }))).KeyMetadata!;
    assert.equal(full.KeyState, 'Enabled');
    assert.equal(full.ExpirationModel, 'KEY_MATERIAL_DOES_NOT_EXPIRE');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: EXT_FULL, Plaintext: Buffer.from('external') }));
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'external');
  }

  test('the keys, aliases, public keys and MACs are the file\'s; AES encrypts with the last backing key', async () => {
    await checkKeys();
    ciphertext = (await kms.send(new EncryptCommand({ KeyId: 'alias/testing', Plaintext: Buffer.from('kept') }))).CiphertextBlob!;
    assert.match(trent().output(), /6 keys and 2 aliases made/);
  });

  test('a second start with the same file changes nothing', async () => {
    await trent.restart();
    assert.match(trent().output(), /0 keys and 0 aliases made/);
    await checkKeys();
    assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext!).toString(), 'kept');
  });

  test('trent export --include-material gives back the backing keys, oldest first', async () => {
    const out = join(dir, 'exported.yaml');
    await run(process.execPath, [join(REPO, 'bin', 'trent.js'), 'export', out, '--include-material', '--endpoint', trent().endpoint]);
    const text = readFileSync(out, 'utf8');
    for (const k of aesBacking) assert.ok(text.includes(k.toString('base64')), 'each backing key is in the export');
    assert.ok(text.indexOf(aesBacking[0]!.toString('base64')) < text.indexOf(aesBacking[1]!.toString('base64')));
    const { stdout } = await run(process.execPath, [join(REPO, 'bin', 'trent.js'), 'export', '--endpoint', trent().endpoint]);
    assert.ok(!stdout.includes(aesBacking[0]!.toString('base64')) && !stdout.includes('PRIVATE KEY'), 'no material unless asked');
    assert.match(stdout, new RegExp(`KeyId: ${RSA}`));
    // Read from the store itself (how a serve store is exported): the same description, never material.
    const trentJs = join(REPO, 'bin', 'trent.js');
    const fromStore = await run(process.execPath, [trentJs, 'export', ...trent().storeArgs, '--region', 'us-west-2']);
    assert.equal(fromStore.stdout, stdout);
    await assert.rejects(run(process.execPath, [trentJs, 'export', ...trent().storeArgs, '--region', 'us-west-2', '--include-material']),
      /--include-material is for a running dev server/);
  });

  test('a file that contradicts the store stops the start, naming the key or alias, and changes nothing', async () => {
    const { dataDir } = trent();
    await trent().stop();
    const cases: Array<[string, RegExp]> = [
      [localKmsSeed(rsaPem, eccPem, [aesBacking[0]!, randomBytes(32)]), new RegExp(`key ${AES} exists with other key material`)],
      [localKmsSeed(rsaPem, eccPem, aesBacking, HMAC), /alias alias\/testing points to key bc436485-.*; the seed file says key 49c5492b-/],
      [localKmsSeed(rsaPem, eccPem).replace('KeySpec: HMAC_256', 'KeySpec: HMAC_512'), new RegExp(`key ${HMAC} exists with KeySpec HMAC_256; the seed file says HMAC_512`)],
      [localKmsSeed(openssl('genrsa', '2048'), eccPem), new RegExp(`key ${RSA} exists with other key material`)],
    ];
    for (const [text, reason] of cases) {
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, text);
      await assert.rejects(startTrent({ dataDir, args: ['--seed', bad, '--region', 'us-west-2'] }), (e: Error) => {
        assert.match(e.message, reason);
        return true;
      });
    }
    // TRENT_SEED is the same as --seed.
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, localKmsSeed(rsaPem, eccPem, aesBacking, HMAC));
    await assert.rejects(startTrent({ dataDir, args: ['--region', 'us-west-2'], env: { TRENT_SEED: bad } }), /alias alias\/testing points to key/);
    await trent.restart();
    await checkKeys();
  });
});

describe("LocalStack's _custom_key_material_ tag", () => {
  const trent = useTrent();
  const kms = trent.client();

  test('boto3: HMAC and symmetric material from the tag; the tag is not kept; the MAC is the one computed outside', async () => {
    const hmacMaterial = randomBytes(48);
    const aesMaterial = randomBytes(32);
    const script = `
import boto3, json, sys, base64
kms = boto3.client('kms', endpoint_url=sys.argv[1])
def tags(material, key_id):
    return [{'TagKey': '_custom_key_material_', 'TagValue': material}, {'TagKey': '_custom_id_', 'TagValue': key_id},
            {'TagKey': 'team', 'TagValue': 'qa'}]
kms.create_key(KeySpec='HMAC_384', KeyUsage='GENERATE_VERIFY_MAC', Tags=tags(sys.argv[2], '7d6c4b9a-1111-4222-8333-444455556666'))
mac = kms.generate_mac(KeyId='7d6c4b9a-1111-4222-8333-444455556666', MacAlgorithm='HMAC_SHA_384', Message=b'fixture')['Mac']
kms.create_key(Tags=tags(sys.argv[3], '8e7d5c0b-1111-4222-8333-444455556666'))
blob = kms.encrypt(KeyId='8e7d5c0b-1111-4222-8333-444455556666', Plaintext=b'hello')['CiphertextBlob']
listed = kms.list_resource_tags(KeyId='7d6c4b9a-1111-4222-8333-444455556666')['Tags']
try:
    kms.create_key(Tags=[{'TagKey': '_custom_key_material_', 'TagValue': base64.b64encode(b'short').decode()}])
    refused = 'created'
except kms.exceptions.IncorrectKeyMaterialException as e:
    refused = e.response['Error']['Code']
print(json.dumps({'mac': base64.b64encode(mac).decode(), 'blob': base64.b64encode(blob).decode(), 'tags': listed, 'refused': refused}))
`;
    const { stdout } = await run('python3', ['-c', script, trent().endpoint, hmacMaterial.toString('base64'), aesMaterial.toString('base64')], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_DEFAULT_REGION: 'us-west-2' },
    });
    const out = JSON.parse(stdout) as { mac: string; blob: string; tags: unknown; refused: string };
    assert.equal(out.mac, createHmac('sha384', hmacMaterial).update('fixture').digest('base64'));
    assert.deepEqual(out.tags, [{ TagKey: 'team', TagValue: 'qa' }]);
    assert.equal(out.refused, 'IncorrectKeyMaterialException');
    const plain = await kms.send(new DecryptCommand({ CiphertextBlob: Buffer.from(out.blob, 'base64') }));
    assert.equal(Buffer.from(plain.Plaintext!).toString(), 'hello');
    assert.equal(plain.KeyId, 'arn:aws:kms:us-west-2:111122223333:key/8e7d5c0b-1111-4222-8333-444455556666');
    const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: '8e7d5c0b-1111-4222-8333-444455556666', IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.equal(rotations.Rotations!.length, 1);

    // The audit trail records the CreateKeys and their tags, but never the material.
    const { lines, events } = await readTrail(trent().storeArgs, ['--event-name', 'CreateKey']);
    assert.equal(events.filter((e) => !e.errorCode).length, 2);
    const tagged = events.find((e) => JSON.stringify(e.requestParameters).includes('_custom_key_material_'));
    assert.ok(tagged, 'the tag itself is recorded');
    for (const secret of [hmacMaterial, aesMaterial]) {
      assert.ok(!lines.some((l) => l.includes(secret.toString('base64')) || l.includes(secret.toString('hex'))), 'no material in the trail');
    }
  });

  test('an ECC key from its SEC 1 DER (as LocalStack users script it): the public key is the DER\'s', async () => {
    const sec1 = createPrivateKey(openssl('ecparam', '-name', 'secp256k1', '-genkey', '-noout'));
    const der = sec1.export({ format: 'der', type: 'sec1' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({
      KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: '_custom_key_material_', TagValue: der.toString('base64') }],
    }));
    const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId }));
    assert.deepEqual(Buffer.from(PublicKey!), createPublicKey(sec1).export({ format: 'der', type: 'spki' }));
    const wrongCurve = createPrivateKey(openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout'));
    await assert.rejects(kms.send(new CreateKeyCommand({
      KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY',
      Tags: [{ TagKey: '_custom_key_material_', TagValue: wrongCurve.export({ format: 'der', type: 'pkcs8' }).toString('base64') }],
    })), { name: 'IncorrectKeyMaterialException' });
  });
});

describe('_custom_key_material_ in serve is an ordinary tag', () => {
  const trent = useTrent({ posture: 'serve' });

  test('the key gets material of its own and keeps the tag', async () => {
    const kms = trent().client(credentialsFrom(trent().output()));
    const material = randomBytes(32).toString('base64');
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({
      KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Tags: [{ TagKey: '_custom_key_material_', TagValue: material }],
    }));
    const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: KeyMetadata!.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from('m') }));
    assert.notDeepEqual(Buffer.from(Mac!), createHmac('sha256', Buffer.from(material, 'base64')).update('m').digest());
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: KeyMetadata!.KeyId }))).Tags,
      [{ TagKey: '_custom_key_material_', TagValue: material }]);
  });
});

describe("Trent's seed format with startTrent({ seed }), and export → seed round trip", () => {
  const symmetric = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const hmac512 = randomBytes(64);
  const mrk = 'mrk-0123456789abcdef0123456789abcdef';
  const policy = {
    Version: '2012-10-17',
    Statement: [{ Sid: 'root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
  };
  const seed = {
    Keys: [
      {
        KeyId: '6f1e2d3c-4b5a-4968-8776-655443322110', Description: 'three versions', Policy: policy,
        Tags: { team: 'payments', env: 'test' }, KeyMaterial: symmetric.map((k) => k.toString('base64')), RotationPeriodInDays: 180,
      },
      { KeyId: mrk, MultiRegion: true, Description: 'multi-Region' },
      { KeyId: '7a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b', KeySpec: 'HMAC_512', KeyMaterial: hmac512.toString('base64') },
      { KeyId: '8b3c4d5e-6f70-4819-aa2b-3c4d5e6f7a8b', KeySpec: 'ECC_NIST_EDWARDS25519', KeyUsage: 'SIGN_VERIFY' },
      { KeyId: '9c4d5e6f-7081-492a-bb3c-4d5e6f7a8b9c', KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' },
      { KeyId: 'ad5e6f70-8192-4a3b-8c4d-5e6f7a8b9cad', Origin: 'EXTERNAL', KeyMaterial: [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')] },
    ],
    Aliases: [{ AliasName: 'alias/app', TargetKeyId: '6f1e2d3c-4b5a-4968-8776-655443322110' }],
  };

  test('the keys are made as described; export with material loads into a fresh Trent as the same keys', async () => {
    const first = await startInProcess({ seed });
    const second = await (async () => {
      try {
        const kms = new KMSClient({ ...first.clientConfig, maxAttempts: 1 });
        const id = seed.Keys[0]!.KeyId;
        const meta = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!;
        assert.equal(meta.KeyId, id);
        assert.equal(meta.Description, 'three versions');
        assert.deepEqual(JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: id }))).Policy!), policy);
        assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: id }))).Tags,
          [{ TagKey: 'env', TagValue: 'test' }, { TagKey: 'team', TagValue: 'payments' }]);
        const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: id }));
        assert.equal(rotation.KeyRotationEnabled, true);
        assert.equal(rotation.RotationPeriodInDays, 180);
        assert.equal((await kms.send(new ListKeyRotationsCommand({ KeyId: id }))).Rotations!.length, 2);
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: mrk }))).KeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType, 'PRIMARY');
        const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: seed.Keys[2]!.KeyId, MacAlgorithm: 'HMAC_SHA_512', Message: Buffer.from('m') }));
        assert.deepEqual(Buffer.from(Mac!), createHmac('sha512', hmac512).update('m').digest());

        const external = await kms.send(new ListKeyRotationsCommand({ KeyId: seed.Keys[5]!.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
        assert.deepEqual(external.Rotations!.map((r) => [r.KeyMaterialState, r.ImportState]), [['NON_CURRENT', 'IMPORTED'], ['CURRENT', 'IMPORTED']]);
        await kms.send(new RotateKeyOnDemandCommand({ KeyId: id }));
        const blobs = await Promise.all([id, mrk, seed.Keys[5]!.KeyId].map(async (KeyId) =>
          (await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from(KeyId) }))).CiphertextBlob!));
        const publicKeys = await Promise.all([seed.Keys[3]!.KeyId, seed.Keys[4]!.KeyId].map(async (KeyId) =>
          Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!)));
        const exported = await first.exportSeed({ includeMaterial: true });
        assert.ok(!(await first.exportSeed()).includes('Material'), 'no material unless asked');
        const file = join(dir, 'round-trip.yaml');
        writeFileSync(file, exported);
        const again = await startInProcess({ seed: file });
        const kms2 = new KMSClient({ ...again.clientConfig, maxAttempts: 1 });
        for (const CiphertextBlob of blobs) {
          const plain = await kms2.send(new DecryptCommand({ CiphertextBlob }));
          assert.equal(Buffer.from(plain.Plaintext!).toString(), plain.KeyId!.split('/')[1]);
        }
        for (const [i, KeyId] of [seed.Keys[3]!.KeyId, seed.Keys[4]!.KeyId].entries()) {
          assert.deepEqual(Buffer.from((await kms2.send(new GetPublicKeyCommand({ KeyId }))).PublicKey!), publicKeys[i]);
        }
        assert.equal((await kms2.send(new DescribeKeyCommand({ KeyId: 'alias/app' }))).KeyMetadata!.KeyId, id);
        const versions = (r: { Rotations?: Array<{ KeyMaterialId?: string; KeyMaterialState?: string; RotationType?: string }> }) =>
          r.Rotations!.map((v) => [v.KeyMaterialId, v.KeyMaterialState, v.RotationType]);
        assert.deepEqual(versions(await kms2.send(new ListKeyRotationsCommand({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))),
          versions(await kms.send(new ListKeyRotationsCommand({ KeyId: id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))));
        // The fresh Trent describes its keys with the very same file.
        assert.equal(await again.exportSeed({ includeMaterial: true }), exported);
        return again;
      } finally {
        await first.stop();
      }
    })();
    await second.stop();
  });

  test('a seed that cannot be loaded rejects startTrent with the reason', async () => {
    await assert.rejects(startInProcess({ seed: { Keys: [{ KeyId: 'not-an-id' }] } }), /KeyId "not-an-id" is not a key ID/);
    await assert.rejects(startInProcess({ seed: { Keys: [{ KeyId: '6f1e2d3c-4b5a-4968-8776-655443322110', KeyMaterial: 'AAAA' }] } }),
      /key 6f1e2d3c-4b5a-4968-8776-655443322110: IncorrectKeyMaterialException: .*32 bytes, not 3/);
    await assert.rejects(startInProcess({ seed: { Keys: [{ KeyId: '6f1e2d3c-4b5a-4968-8776-655443322110', Colour: 'blue' }] } }), /unknown field Colour/);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
