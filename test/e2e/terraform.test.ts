/**
 * Terraform with the hashicorp/aws provider, as users run it against Trent: apply, plan with no changes, a
 * change, destroy, over symmetric, RSA, ECC, HMAC and multi-Region keys (with a replica in a second Region), an
 * alias, a key policy, rotation, aws_kms_ciphertext and data.aws_kms_secrets. The provider comes from a local filesystem mirror (nothing is
 * downloaded): TRENT_TF_PLUGIN_MIRROR, default /opt/tf-plugins. Without terraform or the mirror the test skips.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { GetUserCommand, GetUserPolicyCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { REPO, useTrent } from '../support/trent.js';

const MIRROR = process.env.TRENT_TF_PLUGIN_MIRROR ?? '/opt/tf-plugins';
const PROVIDER = join(MIRROR, 'registry.terraform.io', 'hashicorp', 'aws');

function terraformMissing(): string | undefined {
  if (spawnSync('terraform', ['version'], { stdio: 'ignore' }).status !== 0) return 'terraform is not on the PATH';
  if (!existsSync(PROVIDER)) return `no hashicorp/aws provider in the filesystem mirror ${MIRROR}`;
  return undefined;
}

/**
 * A directory holding test/e2e/terraform/<config> as main.tf, and terraform run there with the provider from the
 * mirror and the server's endpoint as var.endpoint; removed after the test.
 */
function terraformIn(t: TestContext, config: string, endpoint: string) {
  const dir = mkdtempSync(join(tmpdir(), 'trent-terraform-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(REPO, 'test', 'e2e', 'terraform', config), join(dir, 'main.tf'));
  writeFileSync(join(dir, 'cli.tfrc'), `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(MIRROR)}
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`);
  const env = {
    ...process.env, TF_CLI_CONFIG_FILE: join(dir, 'cli.tfrc'), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1',
    TF_VAR_endpoint: endpoint,
  };
  const terraform = (...args: string[]) => spawnSync('terraform', [...args, '-input=false', '-no-color'],
    { cwd: dir, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ok = (...args: string[]) => {
    const run = terraform(...args);
    assert.equal(run.status, 0, `terraform ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  };
  return { dir, env, terraform, ok };
}

describe('Terraform with the hashicorp/aws provider', () => {
  const trent = useTrent();

  test('apply, plan with no changes, change, destroy', { timeout: 600_000 }, async (t) => {
    const missing = terraformMissing();
    if (missing) return t.skip(missing);
    const { terraform, ok, env, dir } = terraformIn(t, 'main.tf', trent().endpoint);
    // A new client after each terraform run: spawnSync blocks the event loop, so a pooled connection the server
    // closed meanwhile (idle past its keep-alive, as a long apply leaves it) would be reused before its close is read.
    const client = () => trent.client({ region: 'us-east-1' });

    ok('init');
    assert.match(ok('apply', '-auto-approve'), /Apply complete! Resources: 8 added, 0 changed, 0 destroyed\./);
    // Nothing tainted, nothing drifting: every read the provider makes (rotation status of every key type
    // included) answers as AWS does.
    const plan = terraform('plan', '-detailed-exitcode');
    assert.equal(plan.status, 0, `a plan right after apply has changes or failed:\n${plan.stdout}\n${plan.stderr}`);
    const roundtrip = execFileSync('terraform', ['output', '-raw', 'roundtrip'], { cwd: dir, env, encoding: 'utf8' });
    assert.equal(roundtrip, 'terraform secret');

    const keyId = (name: string) => execFileSync('terraform', ['state', 'show', '-no-color', `aws_kms_key.${name}`],
      { cwd: dir, env, encoding: 'utf8' }).match(/^\s+key_id\s+=\s+"([^"]+)"/m)![1]!;
    const symmetric = keyId('symmetric');
    const rotation = await client().send(new GetKeyRotationStatusCommand({ KeyId: symmetric }));
    assert.deepEqual([rotation.KeyRotationEnabled, rotation.RotationPeriodInDays], [true, 180]);
    const multiRegion = keyId('multi_region');
    const replica = (await trent.client({ region: 'eu-west-1' }).send(new DescribeKeyCommand({ KeyId: multiRegion }))).KeyMetadata!;
    assert.deepEqual([replica.KeyState, replica.MultiRegionConfiguration?.MultiRegionKeyType, replica.Description],
      ['Enabled', 'REPLICA', 'replica']);

    assert.match(ok('apply', '-auto-approve', '-var', 'description=second'), /Resources: 0 added, 2 changed, 0 destroyed\./);
    assert.equal((await client().send(new DescribeKeyCommand({ KeyId: symmetric }))).KeyMetadata!.Description, 'second');

    assert.match(ok('destroy', '-auto-approve'), /Destroy complete! Resources: 8 destroyed\./);
    const kms = client();
    const { Keys } = await kms.send(new ListKeysCommand({}));
    for (const key of Keys!) {
      // The multi-Region primary waits for its replica (itself PendingDeletion) to be deleted first.
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState,
        key.KeyId === multiRegion ? 'PendingReplicaDeletion' : 'PendingDeletion');
    }
  });

  test('aws_iam_user and aws_iam_user_policy: apply, plan with no changes, destroy', { timeout: 600_000 }, async (t) => {
    const missing = terraformMissing();
    if (missing) return t.skip(missing);
    const { terraform, ok } = terraformIn(t, 'iam.tf', trent().endpoint);
    const iam = new IAMClient({ endpoint: trent().endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    ok('init');
    assert.match(ok('apply', '-auto-approve'), /Apply complete! Resources: 2 added, 0 changed, 0 destroyed\./);
    const plan = terraform('plan', '-detailed-exitcode');
    assert.equal(plan.status, 0, `a plan right after apply has changes or failed:\n${plan.stdout}\n${plan.stderr}`);
    const { User } = await iam.send(new GetUserCommand({ UserName: 'tf-app' }));
    assert.equal(User!.Arn, 'arn:aws:iam::111122223333:user/svc/tf-app');
    const { PolicyDocument } = await iam.send(new GetUserPolicyCommand({ UserName: 'tf-app', PolicyName: 'kms' }));
    assert.deepEqual(JSON.parse(decodeURIComponent(PolicyDocument!)).Statement[0].Action, 'kms:Decrypt');
    assert.match(ok('destroy', '-auto-approve'), /Destroy complete! Resources: 2 destroyed\./);
    assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users, []);
  });
});
