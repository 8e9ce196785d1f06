import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { REPO, removeDir, startTrent, storeArgsFor } from '../support/trent.js';

/** `trent backup` / `trent restore` on whichever backend the suite runs on (SQLite, or PostgreSQL in the second pass). */
function trent(args: string[], rootKey: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'trent.js'), ...args],
    { encoding: 'utf8', env: { ...process.env, TRENT_ROOT_KEY: rootKey } });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('trent backup and trent restore', () => {
  test('a backup restores into an empty store under the same root key, and nowhere else', async () => {
    const rootKey = randomBytes(32).toString('base64');
    const source = await startTrent({ env: { TRENT_ROOT_KEY: rootKey } });
    const kms = source.client();
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({ Description: 'kept', Tags: [{ TagKey: 'team', TagValue: 'a' }] }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: key!.KeyId }));
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: 'alias/kept', Plaintext: Buffer.from('secret') }));

    // Taken while the server runs: the backup reads one consistent snapshot.
    const file = join(mkdtempSync(join(tmpdir(), 'trent-backup-')), 'trent.backup');
    const backup = trent(['backup', file, ...source.storeArgs], rootKey);
    assert.equal(backup.status, 0, backup.output);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.equal(text.indexOf(rootKey), -1, 'the root key is not in the backup');
    assert.equal(text.indexOf(Buffer.from(rootKey, 'base64').toString('hex')), -1);
    assert.equal(trent(['backup', file, ...source.storeArgs], rootKey).status, 1, 'an existing backup is never overwritten');
    await source.stop();

    const targetDir = mkdtempSync(join(tmpdir(), 'trent-test-'));
    const target = await storeArgsFor(targetDir);
    const wrongKey = trent(['restore', file, ...target], randomBytes(32).toString('base64'));
    assert.equal(wrongKey.status, 1);
    assert.match(wrongKey.output, /restore refused: the root key does not match/);

    const restored = trent(['restore', file, ...target], rootKey);
    assert.equal(restored.status, 0, restored.output);
    const again = trent(['restore', file, ...target], rootKey);
    assert.equal(again.status, 1);
    assert.match(again.output, /restore needs an empty store/);

    const server = await startTrent({ dataDir: targetDir, env: { TRENT_ROOT_KEY: rootKey } });
    try {
      const kms2 = server.client();
      assert.deepEqual((await kms2.send(new DescribeKeyCommand({ KeyId: 'alias/kept' }))).KeyMetadata, key);
      assert.equal(Buffer.from((await kms2.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'secret');
      assert.deepEqual((await kms2.send(new ListResourceTagsCommand({ KeyId: key!.KeyId }))).Tags, [{ TagKey: 'team', TagValue: 'a' }]);
      assert.equal((await kms2.send(new ListKeysCommand({}))).Keys!.length, 1);
    } finally {
      await server.stop();
      await removeDir(targetDir);
      await removeDir(source.dataDir);
    }
  });
});
