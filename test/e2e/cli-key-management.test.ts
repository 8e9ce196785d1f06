/**
 * The AWS CLI against Trent for key management (create-alias, list-aliases --key-id, schedule-key-deletion,
 * tag-resource, put-key-policy), and Trent's own `trent clock` / `trent reset` completing a deletion.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { REPO, useTrent } from '../support/trent.js';

const run = promisify(execFile);
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-west-2' };

describe('key management through the AWS CLI and the trent CLI', () => {
  const trent = useTrent();
  const aws = async (...args: string[]): Promise<any> => {
    const { stdout } = await run('aws', ['--endpoint-url', trent().endpoint, '--output', 'json', 'kms', ...args], { env: ENV });
    return stdout.trim() ? JSON.parse(stdout) : undefined;
  };
  const trentCli = async (...args: string[]): Promise<string> =>
    (await run(process.execPath, [join(REPO, 'bin', 'trent.js'), ...args, '--endpoint', trent().endpoint])).stdout;

  test('alias, tags, policy, then a deletion completed by `trent clock advance`, then `trent reset`', async () => {
    const key = (await aws('create-key')).KeyMetadata;
    await aws('create-alias', '--alias-name', 'alias/cli', '--target-key-id', key.KeyId);
    const listed = await aws('list-aliases', '--key-id', key.Arn);
    assert.deepEqual(listed.Aliases.map((a: any) => [a.AliasName, a.TargetKeyId]), [['alias/cli', key.KeyId]]);

    await aws('tag-resource', '--key-id', key.KeyId, '--tags', 'TagKey=team,TagValue=payments');
    assert.deepEqual((await aws('list-resource-tags', '--key-id', key.KeyId)).Tags, [{ TagKey: 'team', TagValue: 'payments' }]);

    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] });
    await aws('put-key-policy', '--key-id', key.KeyId, '--policy-name', 'default', '--policy', policy);
    assert.equal((await aws('get-key-policy', '--key-id', key.KeyId, '--policy-name', 'default')).Policy, policy);

    const scheduled = await aws('schedule-key-deletion', '--key-id', key.KeyId, '--pending-window-in-days', '7');
    assert.equal(scheduled.KeyState, 'PendingDeletion');
    assert.equal(scheduled.PendingWindowInDays, 7);

    const shown = await trentCli('clock', 'show');
    assert.match(shown, /^now \d{4}-\d\d-\d\dT.*Z\noffset 0s\n$/);
    const advanced = await trentCli('clock', 'advance', '8d');
    assert.match(advanced, /\noffset 691200s\n$/);
    await assert.rejects(aws('describe-key', '--key-id', key.KeyId), (e: Error) =>
      /NotFoundException/.test(e.message) && e.message.includes(`Key '${key.Arn}' does not exist`));
    assert.deepEqual((await aws('list-aliases')).Aliases, []);

    await aws('create-key');
    assert.match(await trentCli('reset'), /\noffset 0s\n$/);
    assert.deepEqual((await aws('list-keys')).Keys, []);
  });

  test('trent clock refuses a malformed duration and reports an unreachable server', async () => {
    await assert.rejects(trentCli('clock', 'advance', 'soon'), (e: Error & { code?: number }) => e.code === 2);
    await assert.rejects(run(process.execPath, [join(REPO, 'bin', 'trent.js'), 'clock', 'show', '--endpoint', 'http://127.0.0.1:9']),
      (e: Error & { code?: number; stderr?: string }) => e.code === 1 && /cannot reach/.test(e.stderr ?? ''));
  });
  test('grants: create-grant, list-grants, list-retirable-grants, retire-grant, revoke-grant', async () => {
    const key = (await aws('create-key')).KeyMetadata;
    const grantee = 'arn:aws:iam::111122223333:user/app';
    const made = await aws('create-grant', '--key-id', key.KeyId, '--grantee-principal', grantee,
      '--retiring-principal', 'arn:aws:iam::111122223333:user/ops', '--operations', 'Encrypt', 'Decrypt',
      '--constraints', 'EncryptionContextSubset={dept=eng}', '--name', 'app');
    assert.match(made.GrantId, /^[0-9a-f]{64}$/);
    const second = await aws('create-grant', '--key-id', key.Arn, '--grantee-principal', grantee, '--operations', 'DescribeKey');
    const listed = await aws('list-grants', '--key-id', key.KeyId);
    assert.deepEqual(listed.Grants.map((g: any) => g.GrantId).sort(), [made.GrantId, second.GrantId].sort());
    const first = listed.Grants.find((g: any) => g.GrantId === made.GrantId);
    assert.deepEqual([first.Name, first.Operations, first.Constraints, first.KeyId], ['app', ['Encrypt', 'Decrypt'], { EncryptionContextSubset: { dept: 'eng' } }, key.Arn]);
    assert.equal(typeof first.CreationDate, 'number');
    const retirable = await aws('list-retirable-grants', '--retiring-principal', 'arn:aws:iam::111122223333:user/ops');
    assert.deepEqual(retirable.Grants.map((g: any) => g.GrantId), [made.GrantId]);
    await aws('retire-grant', '--grant-token', made.GrantToken);
    await aws('revoke-grant', '--key-id', key.KeyId, '--grant-id', second.GrantId);
    assert.deepEqual((await aws('list-grants', '--key-id', key.KeyId)).Grants, []);
  });
});
