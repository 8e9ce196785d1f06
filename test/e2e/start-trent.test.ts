/**
 * The in-process Trent a JavaScript test suite starts with `import { startTrent } from 'trent'` (the package
 * importing itself by name, through package.json's "exports", as a user's project would): keys created and used
 * through @aws-sdk/client-kms, reset, the clock moved through a deletion window, stop freeing the port and
 * removing the store, and two at once.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, KMSClient, ListKeysCommand,
  ScheduleKeyDeletionCommand, SignCommand, VerifyCommand,
} from '@aws-sdk/client-kms';
import { startTrent, type InProcessTrent } from 'trent';
import { errorOf } from '../support/kms.js';

const DAY_S = 86_400;

/** Whether a TCP server can listen on `port` now (it can once Trent has let it go). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('startTrent(): a Trent in the test process', () => {
  let trent: InProcessTrent;
  let kms: KMSClient;
  after(async () => {
    kms?.destroy();
    await trent?.stop();
  });

  test('starts on a free port with a store of its own, and says how long it took', async () => {
    const started = performance.now();
    trent = await startTrent();
    const ms = performance.now() - started;
    // A figure for the report, not an assertion: the machine is shared and its speed varies.
    console.log(`# startTrent() took ${ms.toFixed(0)} ms`);
    assert.match(trent.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(trent.endpoint, `http://127.0.0.1:${trent.port}`);
    assert.ok(existsSync(trent.dataDir));
    assert.equal(trent.accountId, '111122223333');
    assert.equal(trent.region, 'us-east-1');
    kms = new KMSClient(trent.clientConfig);
  });

  test('creates keys and uses them: encrypt and decrypt, sign and verify', async () => {
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Description: 'in-process' }));
    assert.equal(key!.AWSAccountId, '111122223333');
    assert.match(key!.Arn!, /^arn:aws:kms:us-east-1:111122223333:key\//);
    const plaintext = Buffer.from('a secret for the test');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: plaintext }));
    const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext);
    assert.equal(KeyId, key!.Arn);

    const { KeyMetadata: signing } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
    const message = Buffer.from('signed in process');
    const { Signature } = await kms.send(new SignCommand({ KeyId: signing!.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }));
    const { SignatureValid } = await kms.send(new VerifyCommand({
      KeyId: signing!.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256',
    }));
    assert.equal(SignatureValid, true);
  });

  test('advanceClock moves time through a deletion window: the key is deleted when it ends', async () => {
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
    const before = trent.now().getTime();
    const now = await trent.advanceClock(6 * DAY_S);
    assert.ok(now.getTime() - before >= 6 * DAY_S * 1000);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
    await trent.advanceClock(DAY_S + 60);
    assert.equal((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId })))).name, 'NotFoundException');
    await assert.rejects(trent.advanceClock(-1), RangeError);
    await assert.rejects(trent.advanceClock(Number.NaN), RangeError);
  });

  test('reset forgets every key and alias and puts the clock back', async () => {
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/before-reset', TargetKeyId: key!.KeyId }));
    await trent.reset();
    assert.deepEqual((await kms.send(new ListKeysCommand({}))).Keys, []);
    assert.equal((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: 'alias/before-reset' })))).name, 'NotFoundException');
    assert.ok(Math.abs(trent.now().getTime() - Date.now()) < 60_000, 'the clock is back to real time');
    // And it still works.
    const { KeyMetadata: again } = await kms.send(new CreateKeyCommand({}));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: again!.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
  });

  test('stop frees the port and removes the store; a second stop is harmless', async () => {
    const { port, dataDir } = trent;
    kms.destroy();
    await trent.stop();
    assert.equal(existsSync(dataDir), false);
    assert.equal(await portIsFree(port), true);
    await trent.stop();
  });
});

describe('two in-process Trents at once', () => {
  test('have their own ports, stores, accounts and Regions', async () => {
    const [a, b] = await Promise.all([startTrent(), startTrent({ accountId: '444455556666', region: 'eu-west-1' })]);
    const kmsA = new KMSClient(a.clientConfig);
    const kmsB = new KMSClient(b.clientConfig);
    try {
      assert.notEqual(a.port, b.port);
      assert.notEqual(a.dataDir, b.dataDir);
      const { KeyMetadata: key } = await kmsA.send(new CreateKeyCommand({}));
      const { KeyMetadata: other } = await kmsB.send(new CreateKeyCommand({}));
      assert.match(other!.Arn!, /^arn:aws:kms:eu-west-1:444455556666:key\//);
      assert.deepEqual((await kmsA.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId), [key!.KeyId]);
      assert.deepEqual((await kmsB.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId), [other!.KeyId]);
      // One's clock is its own.
      await a.advanceClock(DAY_S);
      assert.ok(a.now().getTime() - b.now().getTime() > DAY_S * 1000 - 60_000);
    } finally {
      kmsA.destroy();
      kmsB.destroy();
      await Promise.all([a.stop(), b.stop()]);
    }
    assert.equal(existsSync(a.dataDir) || existsSync(b.dataDir), false);
  });

  test('an invalid option is refused and leaves no directory behind', async () => {
    await assert.rejects(startTrent({ accountId: '12' }), /invalid account ID/);
  });
});
