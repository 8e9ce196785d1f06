import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateKeyCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyLastUsageCommand, ListKeysCommand, ListResourceTagsCommand,
  ScheduleKeyDeletionCommand, TagResourceCommand,
} from '@aws-sdk/client-kms';
import { breakTrail, readTrail } from '../support/audit.js';
import { createKey, errorOf } from '../support/kms.js';
import { credentialsFrom, removeDir, startTrent, useTrent } from '../support/trent.js';

describe('the audit trail', () => {
  test('serve audits every call, refused ones and failed signatures included, never writes plaintext, and trent audit filters it', async () => {
    const trent = await startTrent({ posture: 'serve' });
    try {
      const admin = credentialsFrom(trent.output());
      const kms = trent.client(admin);
      const secret = 'the plaintext that must never reach the audit trail';
      const started = new Date();
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'audited' }));
      const keyId = KeyMetadata!.KeyId!;
      await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(secret), EncryptionContext: { app: 'audit' } }));
      await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' })));
      const tooLarge = await fetch(trent.endpoint, {
        method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'x-amz-target': 'TrentService.Encrypt' },
      });
      assert.equal(tooLarge.status, 413);
      const forged = trent.client({ accessKeyId: admin.accessKeyId, secretAccessKey: 'not-the-secret' });
      assert.equal((await errorOf(forged.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(secret) })))).name,
        'InvalidSignatureException');
      const stranger = trent.client({ accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x' });
      assert.equal((await errorOf(stranger.send(new ListKeysCommand({})))).name, 'UnrecognizedClientException');

      // Read while the server runs: every answered request is already durable.
      const { lines, events } = await readTrail(trent.storeArgs);
      const text = lines.join('\n');
      assert.doesNotMatch(text, new RegExp(secret));
      assert.doesNotMatch(text, new RegExp(Buffer.from(secret).toString('base64').slice(0, 40)));
      const named = (name: string) => events.filter((e) => e.eventName === name);
      assert.equal(named('CreateKey')[0]?.requestParameters?.description, 'audited');
      assert.deepEqual(named('CreateKey')[0]?.resources.map((r) => r.ARN), [KeyMetadata!.Arn]);
      const encrypt = named('Encrypt').find((e) => !e.errorCode)!;
      assert.deepEqual(encrypt.requestParameters, { keyId, encryptionContext: { app: 'audit' } });
      assert.deepEqual(encrypt.resources.map((r) => r.ARN), [KeyMetadata!.Arn]);
      assert.equal(encrypt.userIdentity.accessKeyId, admin.accessKeyId);
      assert.equal(encrypt.eventSource, 'kms.amazonaws.com');
      assert.equal(named('DescribeKey')[0]?.errorCode, 'NotFoundException');
      assert.ok(named('Encrypt').some((e) => e.errorCode === 'RequestEntityTooLargeException'));
      const badSignature = named('Encrypt').find((e) => e.errorCode === 'InvalidSignatureException');
      assert.equal(badSignature?.userIdentity.accessKeyId, admin.accessKeyId, 'the key tried is named');
      assert.equal(named('ListKeys').find((e) => e.errorCode === 'UnrecognizedClientException')?.userIdentity.accessKeyId,
        'AKIAUNKNOWNKEY000000');
      assert.equal(new Set(events.map((e) => e.eventID)).size, events.length, 'one event per request');

      const filtered = async (...flags: string[]) => (await readTrail(trent.storeArgs, flags)).events.map((e) => `${e.eventName} ${e.errorCode ?? ''}`);
      assert.deepEqual(await filtered('--key-id', keyId), ['CreateKey ', 'Encrypt ']);
      assert.deepEqual(await filtered('--key-id', KeyMetadata!.Arn!, '--event-name', 'Encrypt'), ['Encrypt ']);
      assert.deepEqual(await filtered('--error-code', 'InvalidSignatureException'), ['Encrypt InvalidSignatureException']);
      assert.deepEqual(await filtered('--principal', 'AKIAUNKNOWNKEY000000'), ['ListKeys UnrecognizedClientException']);
      assert.equal((await filtered('--principal', admin.accessKeyId)).length, 4);
      assert.deepEqual(await filtered('--start-time', started.toISOString(), '--end-time', started.toISOString()), []);
      assert.equal((await filtered('--start-time', started.toISOString(), '--event-name', 'CreateKey')).length, 1);
      assert.deepEqual(await filtered('--end-time', started.toISOString(), '--event-name', 'CreateKey'), []);
    } finally {
      await trent.stop();
      await removeDir(trent.dataDir);
    }
  });

  describe('in dev', () => {
    const trent = useTrent();
    const kms = trent.client();

    test('when the trail cannot be written, every request is refused with KMSInternalException and changes nothing', async () => {
      const key = await createKey(kms, { Tags: [{ TagKey: 'before', TagValue: '1' }] });
      const keyId = key.KeyId!;
      const repair = await breakTrail(trent().storeArgs);
      const refused: string[] = [];
      try {
        for (const call of [
          () => kms.send(new CreateKeyCommand({ Description: 'never made' })),
          () => kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'after', TagValue: '2' }] })),
          () => kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })),
          () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })),
          () => kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' })),
        ]) {
          const e = await errorOf(call());
          assert.equal(e.name, 'KMSInternalException');
          assert.equal(e.$metadata.httpStatusCode, 500);
          refused.push(e.$metadata.requestId!);
        }
      } finally {
        await repair();
      }
      const keys = (await kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
      assert.deepEqual(keys, [keyId], 'no key was made');
      const tags = (await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags;
      assert.deepEqual(tags, [{ TagKey: 'before', TagValue: '1' }], 'no tag was added');
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState, 'Enabled', 'no deletion was scheduled');
      await new Promise((r) => setTimeout(r, 2_500)); // past the usage tracker's flush, whichever worker noted a use
      assert.deepEqual((await kms.send(new GetKeyLastUsageCommand({ KeyId: keyId }))).KeyLastUsage, {}, 'the refused Encrypt is no use');
      const ids = new Set((await readTrail(trent().storeArgs)).events.map((e) => e.eventID));
      assert.deepEqual(refused.filter((id) => ids.has(id)), [], 'a refused request is not in the trail');
    });

    test('scheduled deletion and automatic rotation are recorded as CloudTrail service events', async () => {
      const doomed = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId!, PendingWindowInDays: 7 }));
      const rotating = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId: rotating.KeyId!, RotationPeriodInDays: 90 }));
      const moved = await fetch(`${trent().endpoint}/-/admin/clock`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: 91 * 86_400 }),
      });
      assert.equal(moved.status, 200);
      const { events } = await readTrail(trent().storeArgs, ['--key-id', doomed.KeyId!, '--event-name', 'DeleteKey']);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.eventType, 'AwsServiceEvent');
      assert.equal(events[0]!.userIdentity.invokedBy, 'AWS Internal');
      assert.deepEqual(events[0]!.resources.map((r) => r.ARN), [doomed.Arn]);
      const rotations = (await readTrail(trent().storeArgs, ['--key-id', rotating.KeyId!, '--event-name', 'RotateKey'])).events;
      assert.equal(rotations.length, 1);
      assert.deepEqual(rotations[0]!.serviceEventDetails, { rotationType: 'AUTOMATIC', keyId: rotating.KeyId });
    });
  });
});
