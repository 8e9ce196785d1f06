/** Key policies and tags end to end through @aws-sdk/client-kms: what is stored and listed, and refusals that change nothing. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GetKeyPolicyCommand, ListKeyPoliciesCommand, ListKeysCommand, ListResourceTagsCommand, PutKeyPolicyCommand,
  TagResourceCommand, UntagResourceCommand, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('key management through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const newKey = (input?: CreateKeyCommandInput) => createKey(kms, input);

  describe('key policies', () => {
    const policy = (principal: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'all', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }],
    }, null, 3);

    test('GetKeyPolicy returns exactly what PutKeyPolicy stored, with PolicyName; ListKeyPolicies names default', async () => {
      const key = await newKey();
      const text = policy('arn:aws:iam::111122223333:root');
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.Arn, Policy: text }));
      const got = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
      assert.equal(got.Policy, text);
      assert.equal(got.PolicyName, 'default');
      const list = await kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
      assert.deepEqual(list.PolicyNames, ['default']);
      assert.equal(list.Truncated, false);
    });

    test('refusals change nothing', async () => {
      const key = await newKey();
      const { Policy: original } = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
      await rejects(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })), 'NotFoundException',
        'No such policy exists');
      await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other', Policy: original! })),
        'NotFoundException', 'No such policy exists');
      await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{not json' })),
        'MalformedPolicyDocumentException', 'The policy document is not valid JSON.');
      await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: `${policy('arn:aws:iam::111122223333:root')}${' '.repeat(32_768)}` })),
        'LimitExceededException', 'Policy exceeds the maximum size of 32768 bytes.');
      const lockout = policy('arn:aws:iam::999999999999:root');
      await rejects(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout })),
        'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
      assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, original);
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
      assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, lockout);
    });

    test('ListKeyPolicies paginates: a marker past default gives an empty page; a foreign marker is refused', async () => {
      const key = await newKey();
      const keys = await kms.send(new ListKeysCommand({ Limit: 1 }));
      await rejects(kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Marker: keys.NextMarker })), 'InvalidMarkerException',
        'The marker that specifies where pagination should next begin is not valid.');
    });
  });

  describe('tags', () => {
    test('TagResource adds and replaces, UntagResource removes, ListResourceTags pages in key order', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'b', TagValue: '1' }] });
      await kms.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'a', TagValue: '' }, { TagKey: 'c', TagValue: 'z' }] }));
      const first = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
      assert.deepEqual(first.Tags, [{ TagKey: 'a', TagValue: '' }, { TagKey: 'b', TagValue: '2' }]);
      assert.equal(first.Truncated, true);
      const second = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }));
      assert.deepEqual(second.Tags, [{ TagKey: 'c', TagValue: 'z' }]);
      assert.equal(second.Truncated, false);
      await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['b', 'absent'] }));
      assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags!.map((t) => t.TagKey), ['a', 'c']);
    });

    test('the 50-tag quota counts existing tags; aws: is reserved; duplicates refused; a refusal changes nothing', async () => {
      const tags = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));
      const key = await newKey({ Tags: tags(40, 'x') });
      await rejects(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(11, 'y') })), 'TagException', 'Too many tags');
      await rejects(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'AWS:x', TagValue: '' }] })),
        'TagException', 'Tags beginning with aws: are reserved');
      await rejects(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'd', TagValue: '1' }, { TagKey: 'd', TagValue: '2' }] })),
        'TagException', 'Duplicate tag keys');
      const all = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 1000 }));
      assert.equal(all.Tags!.length, 40);
      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [...tags(10, 'y'), { TagKey: 'x0', TagValue: 'new' }] }));
      const full = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 1000 }));
      assert.equal(full.Tags!.length, 50, 'at most 50 in a page, and all 50 held');
      assert.equal(full.Truncated, false);
    });
  });
});
