/** The key resolver end to end through @aws-sdk/client-kms: which forms of key ID each operation takes, and AWS's errors for the rest. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateAliasCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, type CreateKeyCommandInput } from '@aws-sdk/client-kms';
import { BLOB, CALLS } from '../support/key-calls.js';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('key management through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const newKey = (input?: CreateKeyCommandInput) => createKey(kms, input);

  describe('the resolver', () => {
    test('key management takes a key ID or key ARN, never an alias', async () => {
      const key = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/resolver', TargetKeyId: key.KeyId }));
      const aliasArn = key.Arn!.replace(/key\/.*$/, 'alias/resolver');
      for (const id of ['alias/resolver', aliasArn]) {
        for (const call of [CALLS.EnableKey!, CALLS.DisableKey!, CALLS.ScheduleKeyDeletion!, CALLS.CancelKeyDeletion!,
          CALLS.TagResource!, CALLS.UntagResource!, CALLS.ListResourceTags!, CALLS.GetKeyPolicy!, CALLS.PutKeyPolicy!,
          CALLS.ListKeyPolicies!, CALLS.UpdateKeyDescription!, CALLS.ListAliases!]) {
          await rejects(call(kms, id, BLOB), 'NotFoundException', `Invalid keyId '${id}'`);
        }
      }
      // DescribeKey takes all four forms.
      for (const id of [key.KeyId!, key.Arn!, 'alias/resolver', aliasArn]) {
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyId, key.KeyId);
      }
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
    });

    test('wrong forms get AWS errors', async () => {
      const key = await newKey();
      const otherRegion = key.Arn!.replace('us-west-2', 'eu-west-1');
      await rejects(kms.send(new EnableKeyCommand({ KeyId: otherRegion })), 'NotFoundException', 'Invalid arn eu-west-1');
      await rejects(kms.send(new EnableKeyCommand({ KeyId: 'arn:aws:s3:::bucket' })), 'InvalidArnException',
        'Invalid arn arn:aws:s3:::bucket');
      await rejects(kms.send(new DisableKeyCommand({ KeyId: 'not-a-key' })), 'NotFoundException', "Invalid keyId 'not-a-key'");
      const missing = '0b3a5c7e-1d2f-4a6b-8c9d-0e1f2a3b4c5d';
      await rejects(kms.send(new DisableKeyCommand({ KeyId: missing })), 'NotFoundException',
        `Key 'arn:aws:kms:us-west-2:111122223333:key/${missing}' does not exist`);
    });
  });
});
