import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { readTrail } from '../support/audit.js';
import { removeDir, startTrent } from '../support/trent.js';

describe('SIGTERM', () => {
  test('drains the requests in flight and records them in the audit trail, however many times it is sent', async () => {
    let trent = await startTrent({ args: ['--workers', '1'] });
    const { dataDir } = trent;
    try {
      // RSA_4096 with no pool ahead (tests run with TRENT_KEY_POOL=0) takes about a second to generate.
      const slow = trent.client().send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY', Description: 'in flight' }));
      await new Promise((r) => setTimeout(r, 150));
      // To the primary, then to the whole group, as a service manager stopping it would (the second SIGTERM used
      // to kill the primary, and the draining worker with it, before its audit record was written).
      process.kill(trent.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      process.kill(-trent.pid, 'SIGTERM');
      const { KeyMetadata } = await slow;
      await trent.stop(); // waits for the exit
      assert.doesNotMatch(trent.output(), /exited|Error/);
      const { lines } = await readTrail(trent.storeArgs, ['--event-name', 'CreateKey']);
      assert.match(lines.join('\n'), /"description":"in flight"/);
      trent = await startTrent({ dataDir, args: ['--workers', '1'] });
      const { KeyMetadata: again } = await trent.client().send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      assert.equal(again!.Description, 'in flight');
    } finally {
      await trent.stop();
      await removeDir(dataDir);
    }
  });
});
