/**
 * Multi-Region keys end to end: one Trent serves every Region a request's SigV4 scope names, and a multi-Region
 * key's primary and replicas there share key ID and material (ops/multi-region/), through @aws-sdk/client-kms
 * clients in three Regions, boto3, and OpenSSL for the signatures.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, DecryptCommand, DeriveSharedSecretCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GenerateMacCommand,
  GetKeyPolicyCommand, GetKeyRotationStatusCommand, GetPublicKeyCommand, ListAliasesCommand, ListKeyRotationsCommand, ListKeysCommand,
  ListResourceTagsCommand, ReEncryptCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, SignCommand,
  UpdatePrimaryRegionCommand, VerifyCommand, VerifyMacCommand, type KeyMetadata, type KeyState, type KMSClient,
} from '@aws-sdk/client-kms';
import { Scratch, verifiedIndependently } from '../support/asymmetric.js';
import { createKey, rejects } from '../support/kms.js';
import { useTrent, type SuiteTrent } from '../support/trent.js';

const run = promisify(execFile);
const ACCOUNT = '111122223333';
const EAST = 'us-east-1';
const WEST = 'eu-west-1';
const SOUTH = 'ap-southeast-2';
const REGIONS = [EAST, WEST, SOUTH] as const;
const DAY_S = 24 * 60 * 60;

const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

/** A client per Region, all of one Trent. */
function regionClients(trent: SuiteTrent): Record<string, KMSClient> {
  return Object.fromEntries(REGIONS.map((region) => [region, trent.client({ region })]));
}

async function describe_(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
  return (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
}

/** Waits (generously: the machine may be busy) until the key is in `state`; the scheduler ends Creating and Updating. */
async function reaches(kms: KMSClient, keyId: string, state: KeyState): Promise<KeyMetadata> {
  const end = Date.now() + 30_000;
  for (;;) {
    const m = await describe_(kms, keyId);
    if (m.KeyState === state) return m;
    if (Date.now() > end) assert.fail(`${keyId} is still ${m.KeyState}, not ${state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Replicates `keyId` from its primary's client into `region`, and waits for the replica to be Enabled. */
async function replicated(kms: Record<string, KMSClient>, from: string, keyId: string, region: string): Promise<KeyMetadata> {
  await kms[from]!.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
  return reaches(kms[region]!, keyId, 'Enabled');
}

/** The MultiRegionConfiguration every key of the set must show when `primary` is the primary Region. */
function configuration(keyId: string, primary: string, replicas: readonly string[], type: 'PRIMARY' | 'REPLICA') {
  return {
    MultiRegionKeyType: type,
    PrimaryKey: { Arn: arnIn(primary, keyId), Region: primary },
    ReplicaKeys: [...replicas].sort().map((Region) => ({ Arn: arnIn(Region, keyId), Region })),
  };
}

describe('multi-Region keys in three Regions of one Trent', () => {
  const trent = useTrent();
  const kms = regionClients(trent);
  const east = kms[EAST]!;
  const west = kms[WEST]!;
  const south = kms[SOUTH]!;
  const scratch = new Scratch();
  after(() => scratch.remove());

  test('ReplicateKey: Creating then Enabled, the same key ID and material, its own policy, description and tags', async () => {
    const primary = await createKey(east, { MultiRegion: true, Description: 'the primary', Tags: [{ TagKey: 'home', TagValue: 'east' }] });
    const answer = await east.send(new ReplicateKeyCommand({
      KeyId: primary.Arn, ReplicaRegion: WEST, Description: 'the replica', Tags: [{ TagKey: 'home', TagValue: 'west' }],
    }));
    const made = answer.ReplicaKeyMetadata!;
    assert.equal(made.KeyId, primary.KeyId);
    assert.equal(made.Arn, arnIn(WEST, primary.KeyId!));
    assert.equal(made.KeyState, 'Creating');
    assert.equal(made.Enabled, false);
    assert.equal(made.CurrentKeyMaterialId, undefined);
    assert.equal(made.Description, 'the replica');
    assert.deepEqual(made.MultiRegionConfiguration, configuration(primary.KeyId!, EAST, [WEST], 'REPLICA'));
    assert.deepEqual(answer.ReplicaTags, [{ TagKey: 'home', TagValue: 'west' }]);
    assert.match(answer.ReplicaPolicy!, /"Id" : "key-default-1"/);

    const replica = await reaches(west, primary.KeyId!, 'Enabled');
    assert.equal(replica.CurrentKeyMaterialId, primary.CurrentKeyMaterialId);
    for (const field of ['KeySpec', 'KeyUsage', 'Origin', 'EncryptionAlgorithms', 'MultiRegion'] as const) {
      assert.deepEqual(replica[field], primary[field], field);
    }
    assert.deepEqual((await describe_(east, primary.KeyId!)).MultiRegionConfiguration, configuration(primary.KeyId!, EAST, [WEST], 'PRIMARY'));
    assert.deepEqual((await west.send(new ListResourceTagsCommand({ KeyId: primary.KeyId }))).Tags, [{ TagKey: 'home', TagValue: 'west' }]);
    assert.deepEqual((await east.send(new ListResourceTagsCommand({ KeyId: primary.KeyId }))).Tags, [{ TagKey: 'home', TagValue: 'east' }]);
    assert.equal((await west.send(new GetKeyPolicyCommand({ KeyId: primary.KeyId }))).Policy, answer.ReplicaPolicy);

    await replicated(kms, EAST, primary.KeyId!, SOUTH);
    for (const region of REGIONS) {
      const m = await describe_(kms[region]!, primary.KeyId!);
      assert.deepEqual(m.MultiRegionConfiguration,
        configuration(primary.KeyId!, EAST, [WEST, SOUTH], region === EAST ? 'PRIMARY' : 'REPLICA'), region);
    }
  });

  test('DescribeKey, ListKeys and aliases are per Region: one alias name names the key in each Region on its own', async () => {
    const primary = await createKey(east, { MultiRegion: true });
    const keyId = primary.KeyId!;
    const only = await createKey(east, { MultiRegion: true });
    await replicated(kms, EAST, keyId, WEST);
    const listed = async (client: KMSClient) => (await client.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.map((k) => k.KeyArn);
    assert.ok((await listed(west)).includes(arnIn(WEST, keyId)));
    assert.ok(!(await listed(west)).includes(arnIn(WEST, only.KeyId!)), 'a key not replicated is not listed in the Region');
    assert.ok(!(await listed(south)).includes(arnIn(SOUTH, keyId)));
    await rejects(south.send(new DescribeKeyCommand({ KeyId: keyId })), 'NotFoundException', `Key '${arnIn(SOUTH, keyId)}' does not exist`);
    await rejects(west.send(new DescribeKeyCommand({ KeyId: only.KeyId })), 'NotFoundException');

    const AliasName = `alias/mrk-${randomBytes(4).toString('hex')}`;
    await east.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyId }));
    await rejects(west.send(new DescribeKeyCommand({ KeyId: AliasName })), 'NotFoundException');
    await west.send(new CreateAliasCommand({ AliasName, TargetKeyId: keyId }));
    assert.equal((await describe_(west, AliasName)).Arn, arnIn(WEST, keyId));
    const { Aliases } = await west.send(new ListAliasesCommand({ KeyId: keyId }));
    assert.deepEqual(Aliases!.map((a) => a.AliasArn), [`arn:aws:kms:${WEST}:${ACCOUNT}:${AliasName}`]);
  });

  test('a ciphertext made in us-east-1 decrypts in eu-west-1 and ap-southeast-2, and back', async () => {
    const { KeyId } = await createKey(east, { MultiRegion: true });
    await replicated(kms, EAST, KeyId!, WEST);
    await replicated(kms, EAST, KeyId!, SOUTH);
    const context = { purpose: 'cross-region' };
    const { CiphertextBlob } = await east.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('made in the east'), EncryptionContext: context }));
    for (const client of [west, south]) {
      const opened = await client.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
      assert.equal(Buffer.from(opened.Plaintext!).toString(), 'made in the east');
      assert.equal(opened.KeyId, arnIn(await client.config.region(), KeyId!));
    }
    await rejects(west.send(new DecryptCommand({ CiphertextBlob })), 'InvalidCiphertextException');
    const dataKey = await west.send(new GenerateDataKeyCommand({ KeyId, NumberOfBytes: 32 }));
    assert.deepEqual((await east.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext, dataKey.Plaintext);
    const moved = await south.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: KeyId }));
    assert.equal(Buffer.from((await east.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }))).Plaintext!).toString(),
      'made in the east');
  });

  test('signatures, MACs and shared secrets cross Regions: one key pair, checked by OpenSSL', async () => {
    const signing = await createKey(east, { MultiRegion: true, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const replica = await replicated(kms, EAST, signing.KeyId!, WEST);
    assert.deepEqual(replica.SigningAlgorithms, signing.SigningAlgorithms);
    const message = Buffer.from('signed in one Region, verified in another');
    const { Signature } = await east.send(new SignCommand({ KeyId: signing.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const verified = await west.send(new VerifyCommand({
      KeyId: signing.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256',
    }));
    assert.equal(verified.SignatureValid, true);
    const publicKeys = await Promise.all([east, west].map((c) => c.send(new GetPublicKeyCommand({ KeyId: signing.KeyId }))));
    assert.deepEqual(publicKeys[0]!.PublicKey, publicKeys[1]!.PublicKey);
    assert.ok(verifiedIndependently(scratch, 'ECC_NIST_P256', 'ECDSA_SHA_256', Buffer.from(publicKeys[1]!.PublicKey!), message,
      Buffer.from(Signature!)));

    const mac = await createKey(west, { MultiRegion: true, KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    await replicated(kms, WEST, mac.KeyId!, SOUTH);
    const made = await west.send(new GenerateMacCommand({ KeyId: mac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }));
    const checked = await south.send(new VerifyMacCommand({ KeyId: mac.KeyId, Message: message, Mac: made.Mac, MacAlgorithm: 'HMAC_SHA_256' }));
    assert.equal(checked.MacValid, true);

    const agreeing = await createKey(east, { MultiRegion: true, KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    await replicated(kms, EAST, agreeing.KeyId!, SOUTH);
    const peer = await createKey(east, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' });
    const { PublicKey } = await east.send(new GetPublicKeyCommand({ KeyId: peer.KeyId }));
    const secrets = await Promise.all([east, south].map((c) => c.send(new DeriveSharedSecretCommand({
      KeyId: agreeing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey,
    }))));
    assert.deepEqual(secrets[0]!.SharedSecret, secrets[1]!.SharedSecret);
  });

  test('UpdatePrimaryRegion swaps the roles through Updating; rotation from the new primary reaches every replica', async () => {
    const { KeyId } = await createKey(east, { MultiRegion: true });
    const keyId = KeyId!;
    await replicated(kms, EAST, keyId, WEST);
    await replicated(kms, EAST, keyId, SOUTH);
    const before = await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before the move') }));

    assert.deepEqual(await east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: WEST }))
      .then((r) => Object.keys(r).filter((k) => k !== '$metadata')), []);
    // Every key shows the new primary at once; the two that swapped are Updating until the scheduler's next pass.
    for (const region of REGIONS) {
      const m = await describe_(kms[region]!, keyId);
      assert.deepEqual(m.MultiRegionConfiguration, configuration(keyId, WEST, [EAST, SOUTH], region === WEST ? 'PRIMARY' : 'REPLICA'));
      if (region === SOUTH) assert.equal(m.KeyState, 'Enabled');
      else assert.ok(m.KeyState === 'Updating' || m.KeyState === 'Enabled', `${region}: ${m.KeyState}`);
    }
    await reaches(east, keyId, 'Enabled');
    await reaches(west, keyId, 'Enabled');

    // Rotation is the primary's now: the old primary is refused as every replica is.
    const notPrimary = (region: string) => `${arnIn(region, keyId)} is not a multi-region primary key.`;
    for (const region of [EAST, SOUTH]) {
      const client = kms[region]!;
      await rejects(client.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'UnsupportedOperationException', notPrimary(region));
      await rejects(client.send(new EnableKeyRotationCommand({ KeyId: keyId })), 'UnsupportedOperationException', notPrimary(region));
      await rejects(client.send(new DisableKeyRotationCommand({ KeyId: keyId })), 'UnsupportedOperationException', notPrimary(region));
      await rejects(client.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-central-1' })),
        'UnsupportedOperationException', notPrimary(region));
    }
    await west.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await west.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 180 }));
    const current = (await describe_(west, keyId)).CurrentKeyMaterialId;
    const after = await west.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after the move') }));
    const rotations = await west.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    assert.equal(rotations.Rotations!.length, 1);
    for (const region of REGIONS) {
      const client = kms[region]!;
      assert.equal((await describe_(client, keyId)).CurrentKeyMaterialId, current, region);
      assert.equal(Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }))).Plaintext!).toString(),
        'after the move');
      assert.equal(Buffer.from((await client.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }))).Plaintext!).toString(),
        'before the move');
      const status = await client.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
      assert.equal(status.KeyRotationEnabled, true, region);
      assert.equal(status.RotationPeriodInDays, 180, region);
      const listed = await client.send(new ListKeyRotationsCommand({ KeyId: keyId }));
      assert.deepEqual(listed.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType]),
        rotations.Rotations!.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType]), region);
    }
    // A ciphertext made with the new material in a replica opens at the primary too.
    const fromReplica = await south.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('from a replica') }));
    assert.equal(Buffer.from((await west.send(new DecryptCommand({ CiphertextBlob: fromReplica.CiphertextBlob }))).Plaintext!).toString(),
      'from a replica');
  });

  test("every ReplicateKey and UpdatePrimaryRegion mistake gets AWS's error and changes nothing", async () => {
    const single = await createKey(east);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: WEST })), 'UnsupportedOperationException',
      `${single.Arn} is not a multi-region primary key.`);
    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: single.KeyId, PrimaryRegion: WEST })), 'UnsupportedOperationException',
      `${single.Arn} is not a multi-region primary key.`);
    const primary = await createKey(east, { MultiRegion: true });
    const keyId = primary.KeyId!;
    await replicated(kms, EAST, keyId, WEST);
    await rejects(west.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: SOUTH })), 'UnsupportedOperationException',
      `${arnIn(WEST, keyId)} is not a multi-region primary key.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: WEST })), 'AlreadyExistsException',
      `The multi-Region key ${keyId} already has a replica in ${WEST}.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: EAST })), 'ValidationException',
      `ReplicaRegion must differ from the primary key's Region ${EAST}.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'cn-north-1' })), 'ValidationException',
      `ReplicaRegion cn-north-1 is not in the aws partition of the key ${primary.Arn}.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'not a region' })), 'ValidationException',
      /at 'replicaRegion' failed to satisfy constraint/);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: `alias/anything`, ReplicaRegion: SOUTH })), 'NotFoundException',
      "Invalid keyId 'alias/anything'");
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: SOUTH, Tags: [{ TagKey: 'aws:x', TagValue: '' }] })),
      'TagException', 'Tags beginning with aws: are reserved');
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: SOUTH, Policy: '{"Version": "2012-10-17"' })),
      'MalformedPolicyDocumentException');
    await rejects(describe_(south, keyId), 'NotFoundException');

    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: SOUTH })), 'NotFoundException',
      `Key '${arnIn(SOUTH, keyId)}' does not exist`);
    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: EAST })), 'ValidationException',
      `PrimaryRegion ${EAST} is already the primary Region of ${primary.Arn}.`);
    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'us-gov-west-1' })), 'ValidationException',
      `PrimaryRegion us-gov-west-1 is not in the aws partition of the key ${primary.Arn}.`);
    await rejects(west.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: EAST })), 'UnsupportedOperationException',
      `${arnIn(WEST, keyId)} is not a multi-region primary key.`);
    // Both keys must be Enabled: the key-state table's row, for the replica as for the primary.
    await west.send(new DisableKeyCommand({ KeyId: keyId }));
    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: WEST })), 'DisabledException',
      `${arnIn(WEST, keyId)} is disabled.`);
    await west.send(new EnableKeyCommand({ KeyId: keyId }));
    await east.send(new DisableKeyCommand({ KeyId: keyId }));
    await rejects(east.send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: WEST })), 'DisabledException',
      `${primary.Arn} is disabled.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: SOUTH })), 'DisabledException', `${primary.Arn} is disabled.`);
    await east.send(new EnableKeyCommand({ KeyId: keyId }));
    assert.deepEqual((await describe_(east, keyId)).MultiRegionConfiguration, configuration(keyId, EAST, [WEST], 'PRIMARY'));
  });

  test('boto3 in three Regions: replicate, encrypt in one, decrypt in another, move the primary', async () => {
    const script = `
import boto3, sys, time
endpoint = sys.argv[1]
kms = {r: boto3.client('kms', endpoint_url=endpoint, region_name=r) for r in ('us-east-1', 'eu-west-1', 'ap-southeast-2')}
def enabled(region, key_id):
    for _ in range(600):
        m = kms[region].describe_key(KeyId=key_id)['KeyMetadata']
        if m['KeyState'] == 'Enabled':
            return m
        time.sleep(0.05)
    raise AssertionError(region + ' never Enabled')
key = kms['us-east-1'].create_key(MultiRegion=True, Description='boto3')['KeyMetadata']
for region in ('eu-west-1', 'ap-southeast-2'):
    r = kms['us-east-1'].replicate_key(KeyId=key['KeyId'], ReplicaRegion=region, Description='boto3 replica')
    assert r['ReplicaKeyMetadata']['KeyState'] == 'Creating'
    enabled(region, key['KeyId'])
blob = kms['us-east-1'].encrypt(KeyId=key['KeyId'], Plaintext=b'boto3 east')['CiphertextBlob']
assert kms['eu-west-1'].decrypt(CiphertextBlob=blob)['Plaintext'] == b'boto3 east'
kms['us-east-1'].update_primary_region(KeyId=key['KeyId'], PrimaryRegion='ap-southeast-2')
enabled('ap-southeast-2', key['KeyId'])
kms['ap-southeast-2'].rotate_key_on_demand(KeyId=key['KeyId'])
blob = kms['ap-southeast-2'].encrypt(KeyId=key['KeyId'], Plaintext=b'boto3 south')['CiphertextBlob']
for region in kms:
    assert kms[region].decrypt(CiphertextBlob=blob)['Plaintext'] == b'boto3 south'
    config = kms[region].describe_key(KeyId=key['KeyId'])['KeyMetadata']['MultiRegionConfiguration']
    assert config['PrimaryKey']['Region'] == 'ap-southeast-2', config
    assert sorted(k['Region'] for k in config['ReplicaKeys']) == ['eu-west-1', 'us-east-1'], config
try:
    kms['us-east-1'].rotate_key_on_demand(KeyId=key['KeyId'])
    raise AssertionError('a replica rotated')
except kms['us-east-1'].exceptions.UnsupportedOperationException as e:
    assert 'is not a multi-region primary key.' in str(e)
print('ok')
`;
    const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret' };
    const { stdout } = await run('python3', ['-c', script, trent().endpoint], { env });
    assert.equal(stdout.trim(), 'ok');
  });
});

describe('request rates: a ReplicateKey is two CreateKey requests in the replica Region', () => {
  const trent = useTrent({ args: ['--workers', '1'], env: { TRENT_QUOTAS: 'rate.CreateKey=1' } });
  const kms = regionClients(trent);

  test('at one CreateKey a second, ReplicateKey is throttled there, and a CreateKey there waits for the rate', async () => {
    const { KeyId } = await createKey(kms[EAST]!, { MultiRegion: true });
    await rejects(kms[EAST]!.send(new ReplicateKeyCommand({ KeyId, ReplicaRegion: WEST })), 'ThrottlingException',
      'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.');
    await rejects(describe_(kms[WEST]!, KeyId!), 'NotFoundException');
    await new Promise((r) => setTimeout(r, 1_100));
    await createKey(kms[WEST]!);
  });
});

/** Moves the dev clock of `trent` forward; the server runs the work then due before answering. */
async function advanceClock(trent: SuiteTrent, seconds: number): Promise<void> {
  const res = await fetch(`${trent().endpoint}/-/admin/clock`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('automatic rotation of multi-Region keys, with the dev clock', () => {
  const trent = useTrent();
  const kms = regionClients(trent);

  test("the primary's schedule rotates it once, for every Region; the replicas never rotate on their own", async () => {
    const { KeyId } = await createKey(kms[EAST]!, { MultiRegion: true });
    await replicated(kms, EAST, KeyId!, WEST);
    await kms[EAST]!.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }));
    await replicated(kms, EAST, KeyId!, SOUTH);
    const statuses = await Promise.all(REGIONS.map((r) => kms[r]!.send(new GetKeyRotationStatusCommand({ KeyId }))));
    assert.deepEqual(new Set(statuses.map((s) => s.NextRotationDate!.getTime())).size, 1, 'one schedule in every Region');

    await advanceClock(trent, 91 * DAY_S);
    const current = (await describe_(kms[EAST]!, KeyId!)).CurrentKeyMaterialId;
    for (const region of REGIONS) {
      const { Rotations } = await kms[region]!.send(new ListKeyRotationsCommand({ KeyId }));
      assert.deepEqual(Rotations!.map((r) => [r.RotationType, r.KeyMaterialId, r.KeyMaterialState]), [['AUTOMATIC', current, 'CURRENT']], region);
      assert.equal((await describe_(kms[region]!, KeyId!)).CurrentKeyMaterialId, current, region);
    }
    const { CiphertextBlob } = await kms[SOUTH]!.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('rotated') }));
    assert.equal(Buffer.from((await kms[WEST]!.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'rotated');
  });
});

describe('deleting multi-Region keys, with the dev clock', () => {
  const trent = useTrent();
  const kms = regionClients(trent);
  const east = kms[EAST]!;
  let keyId: string;
  before(async () => {
    keyId = (await createKey(east, { MultiRegion: true })).KeyId!;
    await replicated(kms, EAST, keyId, WEST);
    await replicated(kms, EAST, keyId, SOUTH);
  });

  test('a primary with replicas waits in PendingReplicaDeletion until the last replica is deleted, then its window runs', async () => {
    const scheduled = await east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 10 }));
    assert.equal(scheduled.KeyState, 'PendingReplicaDeletion');
    assert.equal(scheduled.DeletionDate, undefined);
    assert.equal(scheduled.PendingWindowInDays, 10);
    let primary = await describe_(east, keyId);
    assert.equal(primary.KeyState, 'PendingReplicaDeletion');
    assert.equal(primary.PendingDeletionWindowInDays, 10);
    assert.equal(primary.DeletionDate, undefined);
    await rejects(east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException',
      `${arnIn(EAST, keyId)} is pending replica deletion.`);
    await rejects(east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-central-1' })), 'KMSInvalidStateException',
      `${arnIn(EAST, keyId)} is pending replica deletion.`);
    // The replicas are keys of their own: still usable, and deleted on their own schedule.
    const { CiphertextBlob } = await kms[WEST]!.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('still') }));
    assert.equal(Buffer.from((await kms[SOUTH]!.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'still');

    // Cancelled and scheduled again, as a user may.
    await east.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    assert.equal((await describe_(east, keyId)).KeyState, 'Disabled');
    await east.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 10 }));

    await kms[WEST]!.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await kms[SOUTH]!.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 20 }));
    await advanceClock(trent, 8 * DAY_S);
    await rejects(describe_(kms[WEST]!, keyId), 'NotFoundException');
    primary = await describe_(east, keyId);
    assert.equal(primary.KeyState, 'PendingReplicaDeletion');
    assert.deepEqual(primary.MultiRegionConfiguration, configuration(keyId, EAST, [SOUTH], 'PRIMARY'));

    await advanceClock(trent, 13 * DAY_S);
    await rejects(describe_(kms[SOUTH]!, keyId), 'NotFoundException');
    primary = await describe_(east, keyId);
    assert.equal(primary.KeyState, 'PendingDeletion');
    assert.equal(primary.PendingDeletionWindowInDays, undefined);
    assert.deepEqual(primary.MultiRegionConfiguration, configuration(keyId, EAST, [], 'PRIMARY'));
    // The clock is 21 days ahead of real time, and the primary's 10 days started when its last replica went.
    const ahead = primary.DeletionDate!.getTime() - Date.now();
    assert.ok(Math.abs(ahead - 31 * DAY_S * 1000) < 5 * 60_000, `${ahead} ms ahead of real time`);

    await advanceClock(trent, 11 * DAY_S);
    await rejects(describe_(east, keyId), 'NotFoundException');
  });
});
