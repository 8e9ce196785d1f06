import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { describe, test } from 'node:test';
import {
  DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, KMSClient, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { readTrail } from '../support/audit.js';
import { createKey, errorOf } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

/**
 * Workers cache key records (store/key-record-cache.ts). A write answered by one worker must be seen by the
 * next request whichever worker takes it: each request here opens a new connection, and the cluster hands
 * new connections to its workers in turn, so writes and reads alternate between the two.
 */
describe('two workers: a change answered by one is seen at once by the other', () => {
  const trent = useTrent({ args: ['--workers', '2'] });

  test('DisableKey, EnableKey and UpdateKeyDescription are seen by the very next request', async () => {
    const kms = new KMSClient({
      endpoint: trent().endpoint, region: 'us-west-2', maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
      requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
    });
    const { KeyId } = await createKey(kms);
    const encrypt = () => kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
    for (let i = 0; i < 25; i++) {
      await encrypt(); // the key record is now cached by whichever workers served these
      await encrypt();
      await kms.send(new DisableKeyCommand({ KeyId }));
      assert.equal((await errorOf(encrypt())).name, 'DisabledException', `round ${i}`);
      assert.equal((await errorOf(encrypt())).name, 'DisabledException', `round ${i}`);
      await kms.send(new EnableKeyCommand({ KeyId }));
      await encrypt();
      await encrypt();
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId, Description: `round ${i}` }));
      for (let j = 0; j < 2; j++) {
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.Description, `round ${i}`);
      }
    }
    // Both workers' records are in the one trail, each request once.
    const { events } = await readTrail(trent().storeArgs, ['--event-name', 'DisableKey']);
    assert.equal(events.length, 25);
  });
});
