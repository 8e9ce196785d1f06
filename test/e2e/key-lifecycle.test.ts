/**
 * A key's life end to end through @aws-sdk/client-kms: enabling, disabling, describing and scheduling its
 * deletion, the deletion completed by advancing the dev clock, the admin endpoints, persistence across a restart
 * and reset.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  EnableKeyCommand, ListAliasesCommand, ListKeysCommand, ListResourceTagsCommand, ScheduleKeyDeletionCommand, TagResourceCommand,
  UpdateAliasCommand, UpdateKeyDescriptionCommand, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { removeDir, startTrent, useTrent, type RunningTrent } from '../support/trent.js';

async function admin(trent: RunningTrent, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${trent.endpoint}${path}`, method === 'GET' ? { method } : {
    method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
  });
  return { status: res.status, json: await res.json() };
}

const DAY_S = 86_400;

describe('key management through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const newKey = (input?: CreateKeyCommandInput) => createKey(kms, input);

  describe('state changes', () => {
    test('EnableKey and DisableKey are idempotent and change KeyState and Enabled', async () => {
      const key = await newKey();
      for (const [cmd, state] of [[DisableKeyCommand, 'Disabled'], [DisableKeyCommand, 'Disabled'],
        [EnableKeyCommand, 'Enabled'], [EnableKeyCommand, 'Enabled']] as const) {
        await kms.send(new cmd({ KeyId: key.KeyId }));
        const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
        assert.equal(m!.KeyState, state);
        assert.equal(m!.Enabled, state === 'Enabled');
      }
    });

    test('UpdateKeyDescription replaces the description, empty included', async () => {
      const key = await newKey({ Description: 'before' });
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: 'after' }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description, 'after');
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: '' }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description, '');
    });

    test('ScheduleKeyDeletion answers the ARN, state, date and window; CancelKeyDeletion returns the key to Disabled', async () => {
      const key = await newKey();
      const before = Date.now();
      const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      assert.equal(s.KeyId, key.Arn);
      assert.equal(s.KeyState, 'PendingDeletion');
      assert.equal(s.PendingWindowInDays, 30);
      assert.ok(Math.abs(s.DeletionDate!.getTime() - before - 30 * DAY_S * 1000) < 60_000);
      const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(m!.KeyState, 'PendingDeletion');
      assert.deepEqual(m!.DeletionDate, s.DeletionDate);
      await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException',
        `${key.Arn} is pending deletion.`);
      const c = await kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
      assert.equal(c.KeyId, key.Arn);
      const { KeyMetadata: after } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(after!.KeyState, 'Disabled');
      assert.equal(after!.DeletionDate, undefined);
      await rejects(kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn })), 'KMSInvalidStateException',
        `${key.Arn} is not pending deletion.`);
    });

    test('a key of imported material with none returns to PendingImport when its deletion is cancelled', async () => {
      const key = await newKey({ Origin: 'EXTERNAL' });
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingImport');
    });

    for (const days of [6, 31, 1, 365]) {
      test(`a waiting period of ${days} days is refused and changes nothing`, async () => {
        const key = await newKey();
        await rejects(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })),
          'ValidationException', `PendingWindowInDays should be between 7 and 30, but it is ${days}`);
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
      });
    }
  });

  describe('deletion that really happens', () => {
    test('advancing the dev clock past the deletion date deletes the key, its aliases and its tags', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'k', TagValue: 'v' }] });
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
      const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      const early = await admin(trent(), 'POST', '/-/admin/clock', { advanceSeconds: 6 * DAY_S });
      assert.equal(early.status, 200);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
      const later = await admin(trent(), 'POST', '/-/admin/clock', { advanceSeconds: DAY_S + 60 });
      assert.ok(new Date(later.json.now) > DeletionDate!);
      assert.ok(later.json.offsetSeconds >= 7 * DAY_S);
      await rejects(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException',
        `Key '${key.Arn}' does not exist`);
      await rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), 'NotFoundException',
        `Alias ${key.Arn!.replace(/key\/.*$/, 'alias/doomed')} is not found.`);
      const listed = await kms.send(new ListKeysCommand({ Limit: 1000 }));
      assert.ok(!listed.Keys!.some((k) => k.KeyId === key.KeyId));
      assert.equal((await admin(trent(), 'GET', '/-/admin/clock')).json.offsetSeconds, later.json.offsetSeconds);
    });

    test('the admin endpoints refuse what they do not know', async () => {
      assert.equal((await admin(trent(), 'POST', '/-/admin/clock', { advanceSeconds: -1 })).status, 400);
      assert.equal((await admin(trent(), 'POST', '/-/admin/clock', { advanceSeconds: 'soon' })).status, 400);
      assert.equal((await admin(trent(), 'GET', '/-/admin/reset')).status, 405);
      assert.equal((await admin(trent(), 'GET', '/-/admin/nothing')).status, 404);
    });

    test('the admin endpoints refuse what a web page could send cross-site', async () => {
      // A simple (unpreflighted) content type, or another site's Origin.
      const url = `${trent().endpoint}/-/admin/reset`;
      assert.equal((await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' })).status, 415);
      const foreign = { 'content-type': 'application/json', origin: 'https://evil.example' };
      assert.equal((await fetch(url, { method: 'POST', headers: foreign, body: '{}' })).status, 403);
      assert.equal((await fetch(`${trent().endpoint}/-/admin/clock`, { headers: { origin: trent().endpoint } })).status, 200);
    });
  });
});

describe('persistence, restart and reset', () => {
  test('every change survives a restart, the clock offset too; reset wipes keys and the offset', async () => {
    let trent = await startTrent();
    const dataDir = trent.dataDir;
    try {
      let kms = trent.client();
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'kept' }));
      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: key.KeyId }));
      await kms.send(new UpdateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: other.KeyId }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/gone', TargetKeyId: key.KeyId }));
      await kms.send(new DeleteAliasCommand({ AliasName: 'alias/gone' }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: other.KeyId, PendingWindowInDays: 30 }));
      await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: 3 * DAY_S });
      await trent.stop();

      trent = await startTrent({ dataDir });
      kms = trent.client();
      const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(m!.KeyState, 'Disabled');
      assert.equal(m!.Description, 'kept');
      assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'k', TagValue: 'v' }]);
      const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!;
      assert.deepEqual(aliases.map((a) => [a.AliasName, a.TargetKeyId]), [['alias/kept', other.KeyId]]);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: other.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
      assert.equal((await admin(trent, 'GET', '/-/admin/clock')).json.offsetSeconds, 3 * DAY_S);

      const reset = await admin(trent, 'POST', '/-/admin/reset');
      assert.equal(reset.status, 200);
      assert.equal(reset.json.offsetSeconds, 0);
      assert.deepEqual((await kms.send(new ListKeysCommand({}))).Keys, []);
      assert.deepEqual((await kms.send(new ListAliasesCommand({}))).Aliases, []);
    } finally {
      await trent.stop();
      removeDir(dataDir);
    }
  });

  test('serve has no admin endpoints', async () => {
    const trent = await startTrent({ posture: 'serve' });
    try {
      for (const [method, path] of [['GET', '/-/admin/clock'], ['POST', '/-/admin/clock'], ['POST', '/-/admin/reset']]) {
        const res = await admin(trent, method!, path!, method === 'POST' ? { advanceSeconds: 1 } : undefined);
        assert.equal(res.status, 404);
        assert.equal(res.json.__type, 'NotFoundException');
      }
    } finally {
      await trent.stop();
      removeDir(trent.dataDir);
    }
  });
});

