import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateKeyCommand, DecryptCommand, EncryptCommand, GetKeyLastUsageCommand, ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { useTrent } from '../support/trent.js';

// One worker: a use noted in memory is answered at once by the worker that noted it (others see it once written).
const ONE_WORKER = ['--workers', '1'];

describe('GetKeyLastUsage through @aws-sdk/client-kms', () => {
  const trent = useTrent({ args: ONE_WORKER });
  const kms = trent.client();

  test('a new key has no use; each successful cryptographic use is recorded, a failed one is not; it survives a restart', async () => {
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    const { KeyMetadata: other } = await kms.send(new CreateKeyCommand({}));
    const fresh = await kms.send(new GetKeyLastUsageCommand({ KeyId: key!.Arn }));
    assert.equal(fresh.KeyId, key!.KeyId);
    assert.deepEqual(fresh.KeyLastUsage, {});
    assert.equal(fresh.KeyCreationDate!.getTime(), key!.CreationDate!.getTime());
    assert.ok(fresh.TrackingStartDate!.getTime() <= key!.CreationDate!.getTime() + 1);

    const e = await kms.send(new EncryptCommand({ KeyId: key!.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { a: 'b' } }));
    const encrypted = await kms.send(new GetKeyLastUsageCommand({ KeyId: key!.KeyId }));
    assert.equal(encrypted.KeyLastUsage!.Operation, 'Encrypt');
    assert.equal(encrypted.KeyLastUsage!.KmsRequestId, e.$metadata.requestId);
    assert.equal(encrypted.KeyLastUsage!.CloudTrailEventId, e.$metadata.requestId);

    await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: e.CiphertextBlob })));
    assert.equal((await kms.send(new GetKeyLastUsageCommand({ KeyId: key!.KeyId }))).KeyLastUsage!.Operation, 'Encrypt');

    const r = await kms.send(new ReEncryptCommand({ CiphertextBlob: e.CiphertextBlob, SourceEncryptionContext: { a: 'b' }, DestinationKeyId: other!.KeyId }));
    for (const k of [key!, other!]) {
      const used = await kms.send(new GetKeyLastUsageCommand({ KeyId: k.KeyId }));
      assert.equal(used.KeyLastUsage!.Operation, 'ReEncrypt');
      assert.equal(used.KeyLastUsage!.KmsRequestId, r.$metadata.requestId);
    }
    const stamp = (await kms.send(new GetKeyLastUsageCommand({ KeyId: key!.KeyId }))).KeyLastUsage!.Timestamp!.getTime();

    await trent.restart();
    const restarted = await kms.send(new GetKeyLastUsageCommand({ KeyId: key!.KeyId }));
    assert.equal(restarted.KeyLastUsage!.Operation, 'ReEncrypt');
    assert.equal(restarted.KeyLastUsage!.Timestamp!.getTime(), stamp);
    assert.equal(restarted.TrackingStartDate!.getTime(), fresh.TrackingStartDate!.getTime());
  });

  test('aliases are refused, unknown keys are NotFoundException', async () => {
    await assert.rejects(kms.send(new GetKeyLastUsageCommand({ KeyId: 'alias/x' })), { name: 'NotFoundException' });
    await assert.rejects(kms.send(new GetKeyLastUsageCommand({ KeyId: '00000000-0000-0000-0000-000000000000' })),
      { name: 'NotFoundException', message: "Key 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist" });
  });
});
