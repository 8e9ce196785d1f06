import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { removeDir, startTrent } from '../support/trent.js';

describe('SIGTERM', () => {
  test('drains the requests in flight and flushes the audit log, however many times it is sent', async () => {
    let trent = await startTrent({ args: ['--workers', '1'] });
    const { dataDir } = trent;
    try {
      // RSA_4096 with no pool ahead (tests run with TRENT_KEY_POOL=0) takes about a second to generate.
      const slow = trent.client().send(new CreateKeyCommand({ KeySpec: 'RSA_4096', KeyUsage: 'SIGN_VERIFY', Description: 'in flight' }));
      await new Promise((r) => setTimeout(r, 150));
      // To the primary, then to the whole group, as a service manager stopping it would (the second SIGTERM used
      // to kill the primary, and the draining worker with it, before the audit was written).
      process.kill(trent.pid, 'SIGTERM');
      await new Promise((r) => setTimeout(r, 50));
      process.kill(-trent.pid, 'SIGTERM');
      const { KeyMetadata } = await slow;
      await trent.stop(); // waits for the exit
      assert.doesNotMatch(trent.output(), /exited|Error/);
      const audit = readdirSync(join(dataDir, 'audit')).map((f) => readFileSync(join(dataDir, 'audit', f), 'utf8')).join('');
      assert.match(audit, /"eventName":"CreateKey".*"description":"in flight"/);
      trent = await startTrent({ dataDir, args: ['--workers', '1'] });
      const { KeyMetadata: again } = await trent.client().send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }));
      assert.equal(again!.Description, 'in flight');
    } finally {
      await trent.stop();
      await removeDir(dataDir);
    }
  });
});
