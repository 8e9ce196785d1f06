/**
 * LocalStack's `_custom_id_` CreateKey tag: in dev it fixes the new key's ID and is not kept as a tag (through
 * boto3, as LocalStack's users script it, and @aws-sdk/client-kms); a malformed or taken ID is refused and makes
 * nothing; in serve it is an ordinary tag.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import {
  CreateKeyCommand, DescribeKeyCommand, EncryptCommand, ListKeysCommand, ListResourceTagsCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { errorOf } from '../support/kms.js';
import { credentialsFrom, useTrent } from '../support/trent.js';

const run = promisify(execFile);
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_DEFAULT_REGION: 'us-west-2' };
const tag = (TagKey: string, TagValue: string) => ({ TagKey, TagValue });

describe('_custom_id_ in dev', () => {
  const trent = useTrent();
  const kms = trent.client();

  test('boto3: create_key with _custom_id_ makes the key with that ID; the tag is not kept, the others are', async () => {
    const script = `
import boto3, json, sys
kms = boto3.client('kms', endpoint_url=sys.argv[1])
key = kms.create_key(Tags=[{'TagKey': '_custom_id_', 'TagValue': '00000000-1111-2222-3333-000000000000'},
                           {'TagKey': 'team', 'TagValue': 'payments'}])['KeyMetadata']
tags = kms.list_resource_tags(KeyId='00000000-1111-2222-3333-000000000000')['Tags']
blob = kms.encrypt(KeyId='00000000-1111-2222-3333-000000000000', Plaintext=b'fixture')['CiphertextBlob']
plain = kms.decrypt(CiphertextBlob=blob)
try:
    kms.create_key(Tags=[{'TagKey': '_custom_id_', 'TagValue': '00000000-1111-2222-3333-000000000000'}])
    again = 'created'
except kms.exceptions.AlreadyExistsException as e:
    again = e.response['Error']['Code']
print(json.dumps({'keyId': key['KeyId'], 'arn': key['Arn'], 'tags': tags, 'plain': plain['Plaintext'].decode(),
                  'decryptKeyId': plain['KeyId'], 'again': again}))
`;
    const { stdout } = await run('python3', ['-c', script, trent().endpoint], { env: { ...process.env, ...CREDENTIALS } });
    const out = JSON.parse(stdout) as { keyId: string; arn: string; tags: unknown; plain: string; decryptKeyId: string; again: string };
    assert.equal(out.keyId, '00000000-1111-2222-3333-000000000000');
    assert.equal(out.arn, 'arn:aws:kms:us-west-2:111122223333:key/00000000-1111-2222-3333-000000000000');
    assert.deepEqual(out.tags, [tag('team', 'payments')]);
    assert.equal(out.plain, 'fixture');
    assert.equal(out.decryptKeyId, out.arn);
    assert.equal(out.again, 'AlreadyExistsException');
  });

  test('@aws-sdk/client-kms: a fixed multi-Region ID, and an asymmetric key', async () => {
    const mrk = 'mrk-0123456789abcdef0123456789abcdef';
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ MultiRegion: true, Tags: [tag('_custom_id_', mrk)] }));
    assert.equal(m!.KeyId, mrk);
    assert.equal(m!.MultiRegion, true);
    const id = '8f0c3e6a-51d2-4c7b-9a4e-2b1f6d0c9e3a';
    const { KeyMetadata: rsa } = await kms.send(new CreateKeyCommand({
      KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [tag('_custom_id_', id)],
    }));
    assert.equal(rsa!.KeyId, id);
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: id }))).Tags, []);
  });

  test('a malformed ID is refused with ValidationException and makes nothing', async () => {
    const before = (await kms.send(new ListKeysCommand({}))).Keys!.length;
    for (const [value, multiRegion] of [
      ['my-key', false], ['00000000-1111-2222-3333-00000000000G', false], ['00000000-1111-2222-3333-ABCDEF000000', false],
      ['mrk-0123456789abcdef0123456789abcdef', false], ['00000000-1111-2222-3333-000000000000', true], ['', false],
    ] as const) {
      const e = await errorOf(kms.send(new CreateKeyCommand({ MultiRegion: multiRegion, Tags: [tag('_custom_id_', value)] })));
      assert.equal(e.name, 'ValidationException', `${value}: ${e.message}`);
      assert.match(e.message, /_custom_id_ tag's value .* is not a key ID/);
    }
    const twice = await errorOf(kms.send(new CreateKeyCommand({
      Tags: [tag('_custom_id_', '11111111-1111-4111-8111-111111111111'), tag('_custom_id_', '22222222-2222-4222-8222-222222222222')],
    })));
    assert.equal(twice.name, 'TagException');
    assert.equal((await kms.send(new ListKeysCommand({}))).Keys!.length, before);
  });

  test('a taken ID (even of a key pending deletion) is AlreadyExistsException; after reset it is free again', async () => {
    const id = '33333333-3333-4333-8333-333333333333';
    await kms.send(new CreateKeyCommand({ Description: 'first', Tags: [tag('_custom_id_', id)] }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
    const e = await errorOf(kms.send(new CreateKeyCommand({ Description: 'second', Tags: [tag('_custom_id_', id)] })));
    assert.equal(e.name, 'AlreadyExistsException');
    assert.match(e.message, new RegExp(id));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.Description, 'first');
    const reset = await fetch(`${trent().endpoint}/-/admin/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(reset.status, 200);
    const { KeyMetadata: fresh } = await kms.send(new CreateKeyCommand({ Description: 'after reset', Tags: [tag('_custom_id_', id)] }));
    assert.equal(fresh!.KeyId, id);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.Description, 'after reset');
    await kms.send(new EncryptCommand({ KeyId: id, Plaintext: Buffer.from('x') }));
  });
});

describe('_custom_id_ in serve is an ordinary tag', () => {
  const trent = useTrent({ posture: 'serve' });

  test('the key gets a random ID and keeps the tag', async () => {
    const kms = trent().client(credentialsFrom(trent().output()));
    const id = '44444444-4444-4444-8444-444444444444';
    const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ Tags: [tag('_custom_id_', id)] }));
    assert.notEqual(m!.KeyId, id);
    assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: m!.KeyId }))).Tags, [tag('_custom_id_', id)]);
  });
});
