import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DecryptCommand, DescribeKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand,
  EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand, ListKeyRotationsCommand,
  ReEncryptCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, type CreateKeyCommandInput,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const DAY = 24 * 60 * 60;

describe('key rotation through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const create = (input?: CreateKeyCommandInput) => createKey(kms, input);
  const advanceClock = async (seconds: number) => {
    const res = await fetch(`${trent().endpoint}/-/admin/clock`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds: seconds }),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const decrypt = async (blob: Uint8Array | undefined) =>
    Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext!).toString();


  test('encrypt, rotate on demand and by the clock, encrypt again: all decrypt, ReEncrypt moves to the newest', async () => {
    const key = await create();
    const first = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }));

    const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    assert.equal(rotated.KeyId, key.Arn);
    const afterOnDemand = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
    assert.notEqual(afterOnDemand, key.CurrentKeyMaterialId);

    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.equal(status.KeyRotationEnabled, true);
    assert.equal(status.RotationPeriodInDays, 90);
    assert.equal(status.OnDemandRotationStartDate, undefined);
    const due = status.NextRotationDate!.getTime();
    assert.ok(Math.abs(due - (Date.now() + 90 * DAY * 1000)) < 120_000);

    await advanceClock(91 * DAY);
    const afterAutomatic = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
    assert.notEqual(afterAutomatic, afterOnDemand);
    const next = (await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate!.getTime();
    assert.ok(next > due + 89 * DAY * 1000, 'the next rotation is a period after this one');

    const second = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('after') }));
    assert.equal(await decrypt(first.CiphertextBlob), 'before');
    assert.equal(await decrypt(second.CiphertextBlob), 'after');
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: first.CiphertextBlob, DestinationKeyId: key.KeyId }));
    assert.equal(moved.SourceKeyMaterialId, key.CurrentKeyMaterialId);
    assert.equal(moved.DestinationKeyMaterialId, afterAutomatic);
    assert.equal(await decrypt(moved.CiphertextBlob), 'before');

    const { Rotations, Truncated } = await kms.send(new ListKeyRotationsCommand({ KeyId: key.Arn }));
    assert.equal(Truncated, false);
    assert.deepEqual(Rotations!.map((r) => [r.KeyMaterialId, r.RotationType, r.KeyMaterialState, r.KeyId]), [
      [afterOnDemand, 'ON_DEMAND', 'NON_CURRENT', key.KeyId],
      [afterAutomatic, 'AUTOMATIC', 'CURRENT', key.KeyId],
    ]);
    assert.ok(Rotations!.every((r) => r.RotationDate instanceof Date));
    const all = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    assert.equal(all.Rotations![0]!.KeyMaterialId, key.CurrentKeyMaterialId);
    assert.equal(all.Rotations![0]!.RotationDate, undefined);
  });

  test('ListKeyRotations pages with Limit and Marker', async () => {
    const key = await create();
    for (let i = 0; i < 3; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const one = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2 }));
    assert.equal(one.Rotations!.length, 2);
    assert.equal(one.Truncated, true);
    const two = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Limit: 2, Marker: one.NextMarker }));
    assert.equal(two.Rotations!.length, 1);
    assert.equal(two.Truncated, false);
    assert.equal(new Set([...one.Rotations!, ...two.Rotations!].map((r) => r.KeyMaterialId)).size, 3);
    await rejects(kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, Marker: 'bm90LWEtbWFya2Vy' })), 'InvalidMarkerException');
  });

  test('RotateKeyOnDemand stops at 25 per key (recorded text), and the refused one changes nothing', async () => {
    const key = await create();
    for (let i = 0; i < 25; i++) await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const before = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId;
    await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId, before);
    assert.equal((await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }))).Rotations!.length, 25);
  });

  test('DisableKeyRotation; a disabled key neither rotates nor accepts rotation, and rotates once enabled again', async () => {
    const key = await create();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays, 365);
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'DisabledException', `${key.Arn} is disabled.`);
    await rejects(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'DisabledException', `${key.Arn} is disabled.`);
    await advanceClock(366 * DAY);
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId, key.CurrentKeyMaterialId);
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await advanceClock(1);
    assert.notEqual((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.CurrentKeyMaterialId, key.CurrentKeyMaterialId);

    await kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    const off = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
    assert.deepEqual([off.KeyRotationEnabled, off.RotationPeriodInDays, off.NextRotationDate], [false, undefined, undefined]);
  });

  test('a key pending deletion reports rotation off', async () => {
    const key = await create();
    await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    assert.equal((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled, false);
  });

  test('rotation is refused to asymmetric, HMAC and imported keys (recorded texts), and to aliases', async () => {
    const rsa = await create({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const hmac = await create({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const external = await create({ Origin: 'EXTERNAL' });
    for (const key of [rsa, hmac]) {
      await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException', '');
      await rejects(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException', '');
      await rejects(kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException', '');
    }
    const origin = `${external.Arn} origin is EXTERNAL which is not valid for this operation.`;
    await rejects(kms.send(new EnableKeyRotationCommand({ KeyId: external.KeyId })), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new GetKeyRotationStatusCommand({ KeyId: external.KeyId })), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: 'alias/anything' })), 'NotFoundException');
    await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })), 'NotFoundException',
      "Key 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist");
  });

  test('the rotation reads answer for keys that cannot rotate: rotation off, no rotations (what Terraform reads)', async () => {
    for (const input of [
      { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
      { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }, { KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' },
    ] as const) {
      const key = await create(input);
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }));
      assert.deepEqual([status.KeyRotationEnabled, status.KeyId, status.RotationPeriodInDays, status.NextRotationDate],
        [false, key.Arn, undefined, undefined], input.KeySpec);
      const listed = await kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
      assert.deepEqual([listed.Rotations, listed.Truncated], [[], false]);
      // "This parameter can only be used with KMS keys that support automatic or on-demand key rotation."
      await rejects(kms.send(new ListKeyRotationsCommand({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })),
        'UnsupportedOperationException', '');
    }
  });

  test('RotateKeyOnDemand on an EXTERNAL key without material answers its state first, whatever its spec (recorded)', async () => {
    for (const input of [{ Origin: 'EXTERNAL' }, { Origin: 'EXTERNAL', KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY' }] as const) {
      const key = await create(input);
      await rejects(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException', `${key.Arn} is pending import.`);
    }
  });
});
