/**
 * Operations Trent does not implement yet still answer every request AWS would refuse with AWS's error:
 * validation, the key's existence, its origin and state come before "not implemented".
 */
import { describe, test } from 'node:test';
import { ReplicateKeyCommand } from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('operations not implemented yet, through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  test('ReplicateKey replicates only a multi-Region primary key', async () => {
    const single = await createKey(kms);
    await rejects(kms.send(new ReplicateKeyCommand({ KeyId: single.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException',
      `${single.Arn} is not a multi-region primary key.`);
    const primary = await createKey(kms, { MultiRegion: true });
    await rejects(kms.send(new ReplicateKeyCommand({ KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' })), 'UnsupportedOperationException',
      'Trent does not implement ReplicateKey yet.');
  });
});
