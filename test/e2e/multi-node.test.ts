import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import {
  CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand,
  KMSServiceException, ListKeyRotationsCommand, ListKeysCommand, ListResourceTagsCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand,
  RevokeGrantCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UpdatePrimaryRegionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { readTrail } from '../support/audit.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from '../support/postgres.js';
import { putUserPolicies } from '../support/identities.js';
import { REPO, credentialsFrom, removeDir, startTrent, type RunningTrent } from '../support/trent.js';

/**
 * Several `trent` nodes on one PostgreSQL database behave as one KMS. Every node needs the same root key;
 * each has its own data directory and its own port, as behind a load balancer.
 */
const skip = await skipWithoutPostgres();
const DAY_S = 24 * 60 * 60;

async function nameOfFailure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException) return e.name;
    throw e;
  }
  return 'no failure';
}

async function until<T>(probe: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) assert.fail(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The root key every node of these tests shares (with a file-based root key, copy root.key to each node). */
const ROOT_KEY = { TRENT_ROOT_KEY: randomBytes(32).toString('base64') };

interface Cluster {
  readonly db: TestDatabase;
  readonly nodes: RunningTrent[];
}

/**
 * A PostgreSQL database of its own and `count` nodes on it for the tests of the current describe, started one
 * after the other, as nodes joining a running cluster (the first makes the schema and the admin key); all of it
 * is removed after those tests.
 */
function useCluster(posture: 'dev' | 'serve', count: number): () => Cluster {
  let db: TestDatabase | undefined;
  const nodes: RunningTrent[] = [];
  before(async () => {
    db = await createTestDatabase();
    while (nodes.length < count) nodes.push(await startTrent({ posture, database: db.url, env: ROOT_KEY, args: ['--workers', '1'] }));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const n of nodes) await removeDir(n.dataDir);
    await db?.drop();
  });
  return () => ({ db: db!, nodes });
}

describe('two dev nodes on one PostgreSQL database', { skip }, () => {
  const cluster = useCluster('dev', 2);
  let a: RunningTrent;
  let b: RunningTrent;
  let kmsA: KMSClient;
  let kmsB: KMSClient;
  before(() => {
    [a, b] = cluster().nodes as [RunningTrent, RunningTrent];
    kmsA = a.client();
    kmsB = b.client();
  });

  test('a key created on one node is usable on the other at once', async () => {
    const { KeyMetadata: created } = await kmsA.send(new CreateKeyCommand({ Description: 'shared' }));
    assert.deepEqual((await kmsB.send(new DescribeKeyCommand({ KeyId: created!.KeyId }))).KeyMetadata, created);
    const { CiphertextBlob } = await kmsB.send(new EncryptCommand({ KeyId: created!.KeyId, Plaintext: Buffer.from('hello') }));
    const { Plaintext } = await kmsA.send(new DecryptCommand({ CiphertextBlob }));
    assert.equal(Buffer.from(Plaintext!).toString(), 'hello');
  });

  test('alias, tag and state changes on one node are seen by the other on its next request', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
    await kmsB.send(new CreateAliasCommand({ AliasName: 'alias/seen-everywhere', TargetKeyId: key!.KeyId }));
    assert.equal((await kmsA.send(new DescribeKeyCommand({ KeyId: 'alias/seen-everywhere' }))).KeyMetadata!.KeyId, key!.KeyId);
    await kmsB.send(new TagResourceCommand({ KeyId: key!.KeyId, Tags: [{ TagKey: 'team', TagValue: 'b' }] }));
    assert.deepEqual((await kmsA.send(new ListResourceTagsCommand({ KeyId: key!.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'b' }]);
    await kmsB.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
    assert.equal(await nameOfFailure(kmsA.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from('x') }))),
      'DisabledException');
  });

  test('the trail of every node is read in one place', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({ Description: 'audited on A' }));
    await kmsB.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from('x') }));
    const { events } = await readTrail(['--database', cluster().db.url], ['--key-id', key!.KeyId!]);
    assert.deepEqual(events.map((e) => e.eventName), ['CreateKey', 'Encrypt']);
  });

  test('racing CreateAlias on both nodes: one succeeds, the other gets AlreadyExistsException', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
    for (let round = 0; round < 10; round++) {
      const AliasName = `alias/race-${round}`;
      const outcomes = await Promise.all([kmsA, kmsB].map((kms) =>
        nameOfFailure(kms.send(new CreateAliasCommand({ AliasName, TargetKeyId: key!.KeyId })))));
      assert.deepEqual(outcomes.sort(), ['AlreadyExistsException', 'no failure']);
    }
  });

  test('racing TagResource on both nodes loses no tag', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? kmsA : kmsB).send(
      new TagResourceCommand({ KeyId: key!.KeyId, Tags: [{ TagKey: `t${i}`, TagValue: String(i) }] }))));
    const { Tags } = await kmsB.send(new ListResourceTagsCommand({ KeyId: key!.KeyId, Limit: 50 }));
    assert.equal(Tags!.length, 20);
  });

  test('racing RotateKeyOnDemand and ScheduleKeyDeletion on both nodes: every success is recorded once', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
    const rotations = await Promise.all([kmsA, kmsB, kmsA, kmsB].map((kms) =>
      nameOfFailure(kms.send(new RotateKeyOnDemandCommand({ KeyId: key!.KeyId })))));
    const succeeded = rotations.filter((r) => r === 'no failure').length;
    assert.ok(succeeded >= 1, rotations.join());
    const { Rotations } = await kmsB.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }));
    assert.equal(Rotations!.length, succeeded, 'each acknowledged rotation made exactly one new version');
    const deletions = await Promise.all([kmsA, kmsB].map((kms) =>
      nameOfFailure(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 })))));
    assert.deepEqual(deletions.sort(), ['KMSInvalidStateException', 'no failure']);
  });

  test('a multi-Region key replicated on one node is used across Regions on the other; racing replicas: one wins', async () => {
    const [eastA, westB, southA, southB] = [a.client({ region: 'us-east-1' }), b.client({ region: 'eu-west-1' }),
      a.client({ region: 'ap-south-1' }), b.client({ region: 'ap-south-1' })] as const;
    const { KeyMetadata: key } = await eastA.send(new CreateKeyCommand({ MultiRegion: true }));
    const keyId = key!.KeyId!;
    await b.client({ region: 'us-east-1' }).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
    const enabled = async (kms: KMSClient) => until(async () =>
      (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState === 'Enabled' ? true : undefined, 30_000);
    await enabled(a.client({ region: 'eu-west-1' }));
    const { CiphertextBlob } = await eastA.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('across nodes and Regions') }));
    assert.equal(Buffer.from((await westB.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'across nodes and Regions');

    const raced = await Promise.all([a, b].map((n) => nameOfFailure(n.client({ region: 'us-east-1' }).send(
      new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'ap-south-1' })))));
    assert.deepEqual(raced.sort(), ['AlreadyExistsException', 'no failure']);
    await enabled(southB);

    await b.client({ region: 'us-east-1' }).send(new UpdatePrimaryRegionCommand({ KeyId: keyId, PrimaryRegion: 'eu-west-1' }));
    const westA = a.client({ region: 'eu-west-1' });
    await enabled(westA);
    await westA.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const rotated = await westA.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after the move') }));
    for (const kms of [southB, b.client({ region: 'us-east-1' }), southA]) {
      assert.equal(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: rotated.CiphertextBlob }))).Plaintext!).toString(),
        'after the move');
    }
  });

  test('with both schedulers up, a due deletion happens, once, and both nodes see the key gone', async () => {
    const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
    await kmsA.send(new CreateAliasCommand({ AliasName: 'alias/doomed-everywhere', TargetKeyId: key!.KeyId }));
    await kmsB.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
    const moved = await fetch(`${a.endpoint}/-/admin/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 8 * DAY_S }),
    });
    assert.equal(moved.status, 200);
    for (const kms of [kmsA, kmsB]) {
      assert.equal(await nameOfFailure(kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))), 'NotFoundException');
      assert.equal(await nameOfFailure(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed-everywhere' }))), 'NotFoundException');
    }
    const errors = (a.output() + b.output()).split('\n').filter((l) => /scheduler|failed/.test(l));
    assert.deepEqual(errors, [], 'neither scheduler failed on the other having done the work');
  });
});

describe('serve nodes share access keys; a deleted one stops working on every node within a second', { skip }, () => {
  const cluster = useCluster('serve', 2);

  test('created by the CLI, used on both nodes, deleted by the CLI, refused on both', async () => {
    const { nodes } = cluster();
    const [a, b] = nodes as [RunningTrent, RunningTrent];
    assert.match(a.output(), /First start: created the administrator access key/);
    assert.doesNotMatch(b.output(), /First start/, 'the second node finds the administrator key already there');
    const cli = (...args: string[]) => execFileSync(process.execPath,
      [join(REPO, 'bin', 'trent.js'), 'access-key', ...args, ...a.storeArgs], { encoding: 'utf8', env: { ...process.env, ...ROOT_KEY } });
    // A key of the account root: it needs no identity policy to list keys.
    const created = credentialsFrom(cli('create'));
    // Both nodes verify a request with it, and so hold it in their caches.
    for (const n of nodes) await n.client(created).send(new ListKeysCommand({}));
    cli('delete', created.accessKeyId);
    for (const n of nodes) {
      await until(async () => (await nameOfFailure(n.client(created).send(new ListKeysCommand({}))) === 'UnrecognizedClientException'
        ? true : undefined), 1_000);
    }
    const admin = credentialsFrom(a.output());
    for (const n of nodes) await n.client(admin).send(new CreateKeyCommand({}));
  });

  test('a grant made on one node is in force on the other at once; revoked there, it is gone here at once', async () => {
    const [a, b] = cluster().nodes as [RunningTrent, RunningTrent];
    const cli = (...args: string[]) => execFileSync(process.execPath,
      [join(REPO, 'bin', 'trent.js'), 'access-key', ...args, ...a.storeArgs], { encoding: 'utf8', env: { ...process.env, ...ROOT_KEY } });
    const owner = credentialsFrom(cli('create', '--user', 'owner'));
    const app = credentialsFrom(cli('create', '--user', 'app'));
    await putUserPolicies(a, credentialsFrom(a.output()), ['owner'],
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }] }));
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/owner' }, Action: 'kms:*', Resource: '*' }] });
    const key = (await a.client(owner).send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!;
    const encrypt = (n: RunningTrent) => nameOfFailure(n.client(app).send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('p') })));
    assert.equal(await encrypt(b), 'AccessDeniedException');
    const { GrantId } = await a.client(owner).send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: 'arn:aws:iam::111122223333:user/app', Operations: ['Encrypt'],
    }));
    assert.equal(await encrypt(b), 'no failure');
    await b.client(owner).send(new RevokeGrantCommand({ KeyId: key, GrantId }));
    assert.equal(await encrypt(a), 'AccessDeniedException');
  });
});

describe('kill -9 of one node under write load', { skip }, () => {
  const cluster = useCluster('dev', 2);

  test('every acknowledged write is there, nothing is half-made, and the other node never fails', async () => {
    const { db, nodes } = cluster();
    const [victim, survivor] = nodes as [RunningTrent, RunningTrent];
    const acknowledged: string[] = [];
    const survivorFailures: unknown[] = [];
    let stop = false;
    const writer = async (node: RunningTrent, fromSurvivor: boolean) => {
      const kms = node.client();
      while (!stop) {
        try {
          const tags = [0, 1, 2].map((i) => ({ TagKey: `t${i}`, TagValue: String(i) }));
          const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Tags: tags }));
          acknowledged.push(KeyMetadata!.KeyId!);
        } catch (e) {
          if (fromSurvivor) survivorFailures.push(e);
          else if (!stop) await new Promise((r) => setTimeout(r, 10)); // the victim is gone: its writers idle on
        }
      }
    };
    const load = [...[0, 1, 2, 3].map(() => writer(victim, false)), ...[0, 1, 2, 3].map(() => writer(survivor, true))];
    await new Promise((r) => setTimeout(r, 1_500));
    const before = acknowledged.length;
    await victim.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    stop = true;
    await Promise.all(load);
    assert.ok(before > 10, `some load before the kill (${before})`);
    assert.ok(acknowledged.length > before, 'the survivor kept serving after the kill');
    assert.deepEqual(survivorFailures, []);

    const kms = survivor.client();
    for (const keyId of acknowledged) {
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState, 'Enabled');
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows: [counts] } = await client.query<{ keys: number; without_material: number; tagless: number; orphan_tags: number }>(`
        SELECT (SELECT count(*)::int FROM keys) AS keys,
               (SELECT count(*)::int FROM keys k WHERE NOT EXISTS (SELECT 1 FROM materials m WHERE m.key_id = k.key_id)) AS without_material,
               (SELECT count(*)::int FROM keys k WHERE (SELECT count(*) FROM tags t WHERE t.key_id = k.key_id) <> 3) AS tagless,
               (SELECT count(*)::int FROM tags t WHERE NOT EXISTS (SELECT 1 FROM keys k WHERE k.key_id = t.key_id)) AS orphan_tags`);
      assert.ok(counts!.keys >= acknowledged.length);
      assert.deepEqual({ ...counts, keys: 0 }, { keys: 0, without_material: 0, tagless: 0, orphan_tags: 0 }, 'no half-made key');
    } finally {
      await client.end();
    }
  });
});
