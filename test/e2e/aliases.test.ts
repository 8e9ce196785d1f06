/**
 * Aliases end to end through @aws-sdk/client-kms: names, the one-key-per-alias and 50-per-key rules,
 * UpdateAlias between keys of one type and usage, ListAliases with and without KeyId and its pagination,
 * Regions, and failed calls that change nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, ListAliasesCommand,
  ScheduleKeyDeletionCommand, UpdateAliasCommand, type AliasListEntry, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('aliases through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();

  const newKey = (input?: CreateKeyCommandInput) => createKey(kms, input);
  const aliasArn = (name: string) => `arn:aws:kms:us-west-2:111122223333:${name}`;
  const aliasesOf = async (keyId?: string): Promise<AliasListEntry[]> => {
    const all: AliasListEntry[] = [];
    let marker: string | undefined;
    do {
      const page = await kms.send(new ListAliasesCommand({ KeyId: keyId, Marker: marker, Limit: 100 }));
      all.push(...page.Aliases!);
      marker = page.NextMarker;
    } while (marker);
    return all;
  };

  test('CreateAlias takes a key ID or ARN; the alias resolves everywhere AWS takes aliases and lists as AWS shows it', async () => {
    const key = await newKey();
    const before = Date.now();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app/one', TargetKeyId: key.KeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/app/two', TargetKeyId: key.Arn }));
    for (const id of ['alias/app/one', aliasArn('alias/app/two')]) {
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyId, key.KeyId);
    }
    for (const keyId of [key.KeyId!, key.Arn!]) {
      const listed = await kms.send(new ListAliasesCommand({ KeyId: keyId }));
      assert.deepEqual(listed.Aliases!.map((a) => [a.AliasName, a.AliasArn, a.TargetKeyId]), [
        ['alias/app/one', aliasArn('alias/app/one'), key.KeyId],
        ['alias/app/two', aliasArn('alias/app/two'), key.KeyId],
      ]);
      assert.equal(listed.Truncated, false);
      for (const a of listed.Aliases!) {
        assert.ok(Math.abs(a.CreationDate!.getTime() - before) < 60_000);
        assert.deepEqual(a.LastUpdatedDate, a.CreationDate);
      }
    }
  });

  test('alias names: prefix, reserved alias/aws/, colon, taken names; nothing changes on refusal', async () => {
    const key = await newKey();
    const other = await newKey();
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'noprefix', TargetKeyId: key.KeyId })), 'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
    // AWS sends no message with this error (the SDK then shows 'UnknownError').
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })),
      'NotAuthorizedException', '');
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/a:b', TargetKeyId: key.KeyId })),
      'ValidationException', 'alias/a:b contains invalid characters for an alias');
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/bad!', TargetKeyId: key.KeyId })), 'ValidationException',
      "1 validation error detected: Value 'alias/bad!' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$");
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/x', TargetKeyId: 'alias/app/one' })),
      'ValidationException', 'Aliases must refer to keys. Not aliases');
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: key.KeyId }));
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/taken', TargetKeyId: other.KeyId })),
      'AlreadyExistsException', `An alias with the name ${aliasArn('alias/taken')} already exists`);
    assert.deepEqual((await aliasesOf(other.KeyId)), []);
    assert.deepEqual((await aliasesOf(key.KeyId)).map((a) => a.AliasName), ['alias/taken']);
    await rejects(kms.send(new DeleteAliasCommand({ AliasName: 'alias/never' })), 'NotFoundException',
      `Alias ${aliasArn('alias/never')} is not found.`);
    await rejects(kms.send(new UpdateAliasCommand({ AliasName: 'alias/never', TargetKeyId: key.KeyId })), 'NotFoundException',
      `Alias ${aliasArn('alias/never')} is not found.`);
  });

  test('a key pending deletion takes no new alias but may lose one to UpdateAlias', async () => {
    const doomed = await newKey();
    const fresh = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: doomed.KeyId }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/late', TargetKeyId: doomed.KeyId })),
      'KMSInvalidStateException', `${doomed.Arn} is pending deletion.`);
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: fresh.KeyId }));
    await rejects(kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: doomed.Arn })),
      'KMSInvalidStateException', `${doomed.Arn} is pending deletion.`);
    const [moved] = await aliasesOf(fresh.KeyId);
    assert.equal(moved!.AliasName, 'alias/moving');
    assert.ok(moved!.LastUpdatedDate! >= moved!.CreationDate!);
  });

  test('UpdateAlias only between keys of the same type and usage', async () => {
    const sym = await newKey();
    const sym2 = await newKey();
    const hmac = await newKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const sign = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const rsaSign = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' });
    const rsaEncrypt = await newKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sym', TargetKeyId: sym.KeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/sign', TargetKeyId: sign.KeyId }));
    for (const [alias, target, current] of [['alias/sym', hmac, sym], ['alias/sign', rsaEncrypt, sign]] as const) {
      await rejects(kms.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: target.KeyId })), 'ValidationException',
        `${target.Arn} is not the same key type and key usage as the KMS key that ${alias} refers to (${current.Arn}).`);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.KeyId, current.KeyId);
    }
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/sym', TargetKeyId: sym2.Arn }));
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/sign', TargetKeyId: rsaSign.KeyId }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/sym' }))).KeyMetadata!.KeyId, sym2.KeyId);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/sign' }))).KeyMetadata!.KeyId, rsaSign.KeyId);
  });

  test('a key holds at most 50 aliases', async () => {
    const key = await newKey();
    for (let i = 0; i < 50; i++) await kms.send(new CreateAliasCommand({ AliasName: `alias/many/${i}`, TargetKeyId: key.KeyId }));
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/many/50', TargetKeyId: key.KeyId })), 'LimitExceededException',
      `The KMS key ${key.KeyId} already has 50 aliases, the most a KMS key can have.`);
    const other = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: other.KeyId }));
    await rejects(kms.send(new UpdateAliasCommand({ AliasName: 'alias/elsewhere', TargetKeyId: key.KeyId })),
      'LimitExceededException', `The KMS key ${key.KeyId} already has 50 aliases, the most a KMS key can have.`);
    assert.equal((await aliasesOf(key.KeyId)).length, 50);

    // ListAliases pages: default 50, at most 100, markers stable under inserts before and after the boundary.
    const first = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId, Limit: 20 }));
    assert.equal(first.Aliases!.length, 20);
    assert.equal(first.Truncated, true);
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/many/0' }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/many/00', TargetKeyId: key.KeyId }));
    const rest = await kms.send(new ListAliasesCommand({ KeyId: key.KeyId, Limit: 1000, Marker: first.NextMarker }));
    assert.equal(rest.Truncated, false);
    assert.equal(rest.Aliases!.length, 30);
    assert.ok(rest.Aliases!.every((a) => a.AliasName! > first.Aliases!.at(-1)!.AliasName!));
    const second = await newKey();
    for (let i = 0; i < 50; i++) await kms.send(new CreateAliasCommand({ AliasName: `alias/more/${i}`, TargetKeyId: second.KeyId }));
    const byDefault = await kms.send(new ListAliasesCommand({}));
    assert.equal(byDefault.Aliases!.length, 50);
    assert.equal(byDefault.Truncated, true);
    const largest = await kms.send(new ListAliasesCommand({ Limit: 1000 }));
    assert.equal(largest.Aliases!.length, 100);
    assert.equal(largest.Truncated, true);
    await rejects(kms.send(new ListAliasesCommand({ Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidMarkerException',
      'The marker that specifies where pagination should next begin is not valid.');
  });

  test('aliases are per Region; ListAliases KeyId takes no alias', async () => {
    const key = await newKey();
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/regional', TargetKeyId: key.KeyId }));
    const east = trent().client({ region: 'us-east-1' });
    const eastKey = (await east.send(new CreateKeyCommand({}))).KeyMetadata!;
    await east.send(new CreateAliasCommand({ AliasName: 'alias/regional', TargetKeyId: eastKey.KeyId }));
    assert.equal((await east.send(new DescribeKeyCommand({ KeyId: 'alias/regional' }))).KeyMetadata!.KeyId, eastKey.KeyId);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/regional' }))).KeyMetadata!.KeyId, key.KeyId);
    assert.deepEqual((await east.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasArn),
      ['arn:aws:kms:us-east-1:111122223333:alias/regional']);
    await rejects(kms.send(new ListAliasesCommand({ KeyId: 'alias/regional' })), 'NotFoundException', "Invalid keyId 'alias/regional'");
    await rejects(kms.send(new CreateAliasCommand({ AliasName: 'alias/cross', TargetKeyId: eastKey.Arn })), 'NotFoundException',
      'Invalid arn us-east-1');
  });
});
