import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, ListKeysCommand } from '@aws-sdk/client-kms';
import { chromium, type Browser, type Page } from 'playwright-core';
import { credentialsFrom, REPO, useTrent } from '../support/trent.js';

/**
 * The web console, driven in Debian's headless Chromium as a person would (by the labels and button names of the
 * seed guide), and checked with the AWS CLI: what the wizard made is what the API holds. Each wizard step is
 * screenshotted into test-output/console/ to be looked at.
 */
const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO, 'test-output', 'console');
const ACCOUNT = '111122223333';
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/KeyAdmin`;
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const OTHER_ACCOUNT = '444455556666';
/** Playwright's per-action timeout: generous, the machine is shared. */
const ACTION_TIMEOUT_MS = 60_000;

const haveChromium = existsSync(CHROMIUM);
// Under CI the browser must be there (.ci/run installs it); elsewhere its absence skips the suite, with a notice.
const skip = !haveChromium && process.env.CI !== 'true' ? `${CHROMIUM} is not installed (apt-get install chromium)` : false;

interface WizardChoices {
  readonly shots: string;
  readonly keyType: 'Symmetric' | 'Asymmetric';
  readonly usage: string;
  readonly spec: string;
  readonly alias: string;
  readonly description: string;
  readonly tags: ReadonlyArray<readonly [string, string]>;
  readonly administrators: readonly string[];
  readonly allowDelete: boolean;
  readonly users: readonly string[];
  readonly otherAccounts?: readonly string[];
}

interface Credentials { readonly accessKeyId: string; readonly secretAccessKey: string }
const DEV_CREDENTIALS: Credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' };

/** A page in a fresh headless Chromium, collecting what must never happen: script errors, CSP refusals, requests elsewhere. */
async function openBrowser(endpoint: () => string): Promise<{ browser: Browser; page: Page; pageErrors: string[] }> {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  const pageErrors: string[] = [];
  // A CSP violation or a script error shows as a console error: none may happen. (Chromium also logs each API
  // refusal the console expects, such as NotFoundException for a free alias name: those are not errors here.)
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of 4')) pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => {
    if (!r.url().startsWith(endpoint()) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) pageErrors.push(`fetched ${r.url()}`);
  });
  return { browser, page, pageErrors };
}

/** The AWS CLI (v1) against `endpoint`, answering JSON. */
/** The AWS CLI against Trent: `kms` commands unless the arguments name another service first. */
function awsCli(endpoint: string, credentials: Credentials, args: string[]): Promise<string> {
  const command = args[0] === 'iam' ? args : ['kms', ...args];
  return new Promise((resolve, reject) => {
    execFile('aws', ['--endpoint-url', endpoint, '--output', 'json', ...command], {
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-west-2',
      },
    }, (err, stdout, stderr) => (err ? reject(new Error(`aws ${args.join(' ')}: ${err.message}\n${stderr}${stdout}`)) : resolve(stdout)));
  });
}

describe('web console', { skip, timeout: 600_000 }, () => {
  const trent = useTrent();
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => { ({ browser, page, pageErrors } = await openBrowser(() => trent().endpoint)); });
  after(async () => { await browser?.close(); });

  const awsJson = async <T>(...args: string[]): Promise<T> => JSON.parse(await awsCli(trent().endpoint, DEV_CREDENTIALS, args)) as T;

  /** A link of the navigation pane (the details page's breadcrumb has one of the same name). */
  const nav = (name: string) => page.getByRole('navigation', { name: 'Navigation pane' }).getByRole('link', { name });

  const shot = (name: string) => screenshot(page, name);

  async function createThroughWizard(c: WizardChoices): Promise<string> {
    await nav('Customer managed keys').click();
    await page.getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Configure key' }).waitFor();
    await page.getByRole('radio', { name: c.keyType, exact: true }).check();
    await page.getByRole('radio', { name: c.usage, exact: true }).check();
    await page.getByRole('radio', { name: c.spec, exact: true }).check();
    if (c.shots === 'symmetric') {
      await page.getByText('Advanced options').click();
      await page.getByRole('radio', { name: 'Single-Region key' }).check();
    }
    await shot(`${c.shots}-1-configure-key`);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Add labels' }).waitFor();
    await page.getByLabel('Alias', { exact: true }).fill(c.alias);
    await page.getByLabel('Description', { exact: false }).fill(c.description);
    for (const [i, [key, value]] of c.tags.entries()) {
      await page.getByRole('button', { name: 'Add tag' }).click();
      await page.getByLabel('Tag key').nth(i).fill(key);
      await page.getByLabel('Tag value').nth(i).fill(value);
    }
    await shot(`${c.shots}-2-add-labels`);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Define key administrative permissions' }).waitFor();
    await page.getByLabel('Key administrators ARNs').fill(c.administrators.join('\n'));
    await page.getByRole('checkbox', { name: 'Allow key administrators to delete this key' }).setChecked(c.allowDelete);
    await shot(`${c.shots}-3-key-administrators`);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Define key usage permissions' }).waitFor();
    await page.getByLabel('Key users ARNs').fill(c.users.join('\n'));
    for (const [i, account] of (c.otherAccounts ?? []).entries()) {
      await page.getByRole('button', { name: 'Add another AWS account' }).click();
      await page.getByLabel('AWS account ID').nth(i).fill(account);
    }
    await shot(`${c.shots}-4-key-users`);
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Review' }).waitFor();
    await page.locator('pre.policy').waitFor();
    await shot(`${c.shots}-5-review`);
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('status').filter({ hasText: `Your KMS key was created with alias alias/${c.alias}` }).waitFor();
    return (await awsJson<{ KeyMetadata: { KeyId: string } }>('describe-key', '--key-id', `alias/${c.alias}`)).KeyMetadata.KeyId;
  }

  /** What the CLI finds for a key made by the wizard: spec, usage, alias, description, tags, and the policy's principals. */
  async function assertKeyAsChosen(keyId: string, c: WizardChoices): Promise<Record<string, { Sid: string; Principal: { AWS: string | string[] }; Action: string | string[] }>> {
    const { KeyMetadata: meta } = await awsJson<{ KeyMetadata: Record<string, unknown> }>('describe-key', '--key-id', keyId);
    assert.equal(meta.KeySpec, c.spec);
    assert.equal(meta.Description, c.description);
    assert.equal(meta.KeyState, 'Enabled');
    const aliases = await awsJson<{ Aliases: { AliasName: string }[] }>('list-aliases', '--key-id', keyId);
    assert.deepEqual(aliases.Aliases.map((a) => a.AliasName), [`alias/${c.alias}`]);
    const tags = await awsJson<{ Tags: { TagKey: string; TagValue: string }[] }>('list-resource-tags', '--key-id', keyId);
    assert.deepEqual(tags.Tags.map((t) => [t.TagKey, t.TagValue]).sort(), c.tags.map(([k, v]) => [k, v]).sort());
    const { Policy } = await awsJson<{ Policy: string }>('get-key-policy', '--key-id', keyId, '--policy-name', 'default');
    const policy = JSON.parse(Policy) as { Statement: { Sid: string; Principal: { AWS: string | string[] }; Action: string | string[] }[] };
    const bySid = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    assert.deepEqual(bySid['Enable IAM User Permissions']?.Principal, { AWS: `arn:aws:iam::${ACCOUNT}:root` });
    assert.deepEqual([bySid['Allow access for Key Administrators']?.Principal.AWS].flat(), c.administrators);
    const deletes = [bySid['Allow access for Key Administrators']?.Action].flat().includes('kms:ScheduleKeyDeletion');
    assert.equal(deletes, c.allowDelete);
    const users = [...c.users, ...(c.otherAccounts ?? []).map((a) => `arn:aws:iam::${a}:root`)];
    assert.deepEqual([bySid['Allow use of the key']?.Principal.AWS].flat(), users);
    return bySid;
  }

  it('serves the console at / (types, cache headers, a strict CSP, nothing else from the disk) while POST / stays the KMS API', async () => {
    const page0 = await fetch(`${trent().endpoint}/`);
    assert.equal(page0.status, 200);
    assert.equal(page0.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(page0.headers.get('cache-control'), 'no-cache');
    const csp = page0.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /connect-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
    const html = await page0.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(script && style, html);
    const js = await fetch(`${trent().endpoint}${script}`);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal((await fetch(`${trent().endpoint}${style}`)).headers.get('content-type'), 'text/css; charset=utf-8');
    const head = await fetch(`${trent().endpoint}/`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');

    // Paths are looked up, never joined onto a directory: a traversal finds nothing (sent raw: fetch would tidy it).
    for (const path of ['/assets/../../../package.json', '/../package.json', '/assets/%2e%2e/index.html', '/src/main.tsx']) {
      const answer = await rawGet(trent().endpoint, path);
      assert.doesNotMatch(answer, /^HTTP\/1\.1 200/, path);
      assert.doesNotMatch(answer, /"name": "trent"/, path);
    }
    const keys = await trent().client().send(new ListKeysCommand({}));
    assert.ok(Array.isArray(keys.Keys));
  });

  it('signs in with the keyboard; every call is signed with SigV4 and the secret never leaves the tab', async () => {
    const sent: { headers: Record<string, string>; body: string }[] = [];
    page.on('request', (r) => { if (r.method() === 'POST') sent.push({ headers: r.headers(), body: r.postData() ?? '' }); });
    await page.goto(`${trent().endpoint}/`);
    await page.getByRole('heading', { name: 'Sign in to Trent' }).waitFor();
    await shot('0-sign-in');
    await page.getByLabel('Access key ID').focus();
    await page.keyboard.type('AKIDEXAMPLE');
    await page.keyboard.press('Tab');
    await page.keyboard.type('test-secret');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign in');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Customer managed keys' }).waitFor();
    // The Region selector, as the guide's second step.
    await page.getByLabel('Region').selectOption('us-west-2');
    await page.getByRole('heading', { name: 'Customer managed keys' }).waitFor();
    assert.ok(sent.length > 0);
    for (const r of sent) {
      assert.match(r.headers.authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/(us-east-1|us-west-2)\/kms\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
      assert.doesNotMatch(JSON.stringify(r), /test-secret/);
    }
    assert.deepEqual(await page.context().cookies(), []);
    assert.equal(await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)), '{}{}');
  });

  it('refuses an alias beginning with aws/ before anything is sent, with the guide\'s explanation', async () => {
    const before = (await awsJson<{ Keys: unknown[] }>('list-keys')).Keys.length;
    await page.getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Alias', { exact: true }).fill('aws/my-key');
    let kmsCalls = 0;
    const count = () => { kmsCalls++; };
    page.on('request', count);
    await page.getByRole('button', { name: 'Next' }).click();
    const error = page.locator('#alias-error');
    await error.waitFor();
    assert.equal(await error.textContent(),
      'The alias name cannot begin with aws/. The aws/ prefix is reserved by Amazon Web Services to represent AWS managed keys in your account.');
    assert.equal(await page.getByLabel('Alias', { exact: true }).getAttribute('aria-invalid'), 'true');
    // The field in error has the focus, and the step did not change.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'alias');
    await page.getByRole('heading', { name: 'Add labels' }).waitFor();
    await shot('refusal-aws-prefix');
    page.off('request', count);
    assert.equal(kmsCalls, 0);
    assert.equal((await awsJson<{ Keys: unknown[] }>('list-keys')).Keys.length, before);
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  it('creates a symmetric encryption key through the wizard, as the CLI then finds it', async () => {
    const c: WizardChoices = {
      shots: 'symmetric', keyType: 'Symmetric', usage: 'Encrypt and decrypt', spec: 'SYMMETRIC_DEFAULT', alias: 'console/orders',
      description: 'Encrypts the orders table', tags: [['team', 'payments'], ['env', 'prod']], administrators: [ADMIN], allowDelete: true,
      users: [USER], otherAccounts: [OTHER_ACCOUNT],
    };
    const keyId = await createThroughWizard(c);
    const bySid = await assertKeyAsChosen(keyId, c);
    assert.deepEqual(bySid['Allow use of the key']?.Action, ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey']);
    assert.ok(bySid['Allow attachment of persistent resources']);
    const meta = (await awsJson<{ KeyMetadata: Record<string, unknown> }>('describe-key', '--key-id', keyId)).KeyMetadata;
    assert.equal(meta.KeyUsage, 'ENCRYPT_DECRYPT');
    assert.equal(meta.Origin, 'AWS_KMS');
    assert.equal(meta.MultiRegion, false);
  });

  it('disables the key, schedules its deletion with a waiting period, and cancels it, from the details page', async () => {
    const keyId = (await awsJson<{ KeyMetadata: { KeyId: string } }>('describe-key', '--key-id', 'alias/console/orders')).KeyMetadata.KeyId;
    await page.getByRole('heading', { name: 'General configuration' }).waitFor();
    await shot('details-symmetric');
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'The key is disabled.' }).waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    assert.equal((await awsJson<{ KeyMetadata: { KeyState: string } }>('describe-key', '--key-id', keyId)).KeyMetadata.KeyState, 'Disabled');

    await page.getByRole('button', { name: 'Schedule key deletion' }).click();
    const dialog = page.getByRole('dialog', { name: 'Schedule key deletion' });
    await dialog.getByLabel('Waiting period (in days)').fill('7');
    assert.equal(await dialog.getByRole('button', { name: 'Schedule deletion' }).isDisabled(), true);
    await dialog.getByRole('checkbox').check();
    await shot('details-schedule-deletion');
    await dialog.getByRole('button', { name: 'Schedule deletion' }).click();
    await page.getByRole('status').filter({ hasText: 'scheduled for deletion in 7 days' }).waitFor();
    const pending = (await awsJson<{ KeyMetadata: { KeyState: string; DeletionDate: number } }>('describe-key', '--key-id', keyId)).KeyMetadata;
    assert.equal(pending.KeyState, 'PendingDeletion');
    const days = (pending.DeletionDate * 1000 - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `deletion in ${days} days`);
    await page.getByRole('button', { name: 'Cancel key deletion' }).click();
    await page.getByRole('status').filter({ hasText: 'Key deletion is cancelled' }).waitFor();
    assert.equal((await awsJson<{ KeyMetadata: { KeyState: string } }>('describe-key', '--key-id', keyId)).KeyMetadata.KeyState, 'Disabled');
  });

  it('creates an RSA signing key, whose details offer its public key as PEM', async () => {
    const c: WizardChoices = {
      shots: 'rsa', keyType: 'Asymmetric', usage: 'Sign and verify', spec: 'RSA_3072', alias: 'console/release-signing',
      description: 'Signs release artifacts', tags: [['purpose', 'signing']], administrators: [ADMIN, `arn:aws:iam::${ACCOUNT}:user/bob`],
      allowDelete: false, users: [USER],
    };
    const keyId = await createThroughWizard(c);
    const bySid = await assertKeyAsChosen(keyId, c);
    assert.deepEqual(bySid['Allow use of the key']?.Action, ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify']);
    const meta = (await awsJson<{ KeyMetadata: Record<string, unknown> }>('describe-key', '--key-id', keyId)).KeyMetadata;
    assert.equal(meta.KeyUsage, 'SIGN_VERIFY');
    const pem = await page.locator('#public-key-heading + pre').textContent();
    const { PublicKey } = await awsJson<{ PublicKey: string }>('get-public-key', '--key-id', keyId);
    assert.equal(pem?.replace(/-----[A-Z ]+-----|\s/g, ''), PublicKey);
    await shot('details-rsa');
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download public key' }).click();
    assert.equal((await download).suggestedFilename(), `${keyId}.pem`);
  });

  it('creates an ECC key agreement key, offering only the specs valid for the choice', async () => {
    await nav('Customer managed keys').click();
    await page.getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('radio', { name: 'Asymmetric', exact: true }).check();
    await page.getByRole('radio', { name: 'Key agreement', exact: true }).check();
    const specs = await page.locator('input[name=keySpec]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    assert.deepEqual(specs, ['ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521']);
    await page.getByRole('button', { name: 'Cancel' }).click();
    const c: WizardChoices = {
      shots: 'ecc', keyType: 'Asymmetric', usage: 'Key agreement', spec: 'ECC_NIST_P384', alias: 'console/ecdh',
      description: 'Derives session secrets', tags: [], administrators: [ADMIN], allowDelete: true, users: [USER, `arn:aws:iam::${ACCOUNT}:role/App`],
    };
    const keyId = await createThroughWizard(c);
    const bySid = await assertKeyAsChosen(keyId, c);
    assert.deepEqual(bySid['Allow use of the key']?.Action, ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:DeriveSharedSecret']);
    assert.equal((await awsJson<{ KeyMetadata: Record<string, unknown> }>('describe-key', '--key-id', keyId)).KeyMetadata.KeyUsage, 'KEY_AGREEMENT');
  });

  it('creates an HMAC key', async () => {
    const c: WizardChoices = {
      shots: 'hmac', keyType: 'Symmetric', usage: 'Generate and verify MAC', spec: 'HMAC_384', alias: 'console/webhooks',
      description: 'Authenticates webhooks', tags: [['team', 'api']], administrators: [ADMIN], allowDelete: true, users: [USER],
    };
    const keyId = await createThroughWizard(c);
    const bySid = await assertKeyAsChosen(keyId, c);
    assert.deepEqual(bySid['Allow use of the key']?.Action, ['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac']);
    assert.equal((await awsJson<{ KeyMetadata: Record<string, unknown> }>('describe-key', '--key-id', keyId)).KeyMetadata.KeyUsage, 'GENERATE_VERIFY_MAC');
  });

  it('offers the account\'s IAM users and roles from Trent\'s IAM API (ListUsers and ListRoles, signed for iam in us-east-1)', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'sts:AssumeRole' }] });
    await awsJson('iam', 'create-user', '--user-name', 'alice');
    await awsJson('iam', 'create-user', '--user-name', 'bob');
    await awsJson('iam', 'create-role', '--role-name', 'KeyAdmin', '--assume-role-policy-document', trust);
    // The console's IAM calls, watched on their way to Trent (which answers them).
    const iamRequests: { action: string; authorization: string }[] = [];
    await page.route(`${trent().endpoint}/`, async (route) => {
      const action = new URLSearchParams(route.request().postData() ?? '').get('Action');
      if (action === 'ListUsers' || action === 'ListRoles') iamRequests.push({ action, authorization: route.request().headers().authorization ?? '' });
      return route.continue();
    });
    try {
      await nav('Customer managed keys').click();
      await page.getByRole('link', { name: 'Create key' }).click();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByLabel('Alias', { exact: true }).fill('console/picked');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('checkbox', { name: 'KeyAdmin (role)' }).check();
      await shot('iam-3-key-administrators');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('checkbox', { name: 'alice (user)' }).check();
      await page.getByRole('checkbox', { name: 'bob (user)' }).check();
      await page.getByRole('button', { name: 'Next' }).click();
      await page.locator('pre.policy').waitFor();
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.getByRole('status').filter({ hasText: 'Your KMS key was created with alias alias/console/picked' }).waitFor();
    } finally {
      await page.unroute(`${trent().endpoint}/`);
    }
    assert.deepEqual(iamRequests.map((r) => r.action).sort(), ['ListRoles', 'ListUsers']);
    for (const r of iamRequests) assert.match(r.authorization, /Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/iam\/aws4_request/);
    const picked = (await awsJson<{ KeyMetadata: { KeyId: string } }>('describe-key', '--key-id', 'alias/console/picked')).KeyMetadata.KeyId;
    const { Policy } = await awsJson<{ Policy: string }>('get-key-policy', '--key-id', picked, '--policy-name', 'default');
    const bySid = Object.fromEntries((JSON.parse(Policy) as { Statement: { Sid: string; Principal: { AWS: string[] } }[] }).Statement.map((st) => [st.Sid, st]));
    assert.deepEqual(bySid['Allow access for Key Administrators']?.Principal.AWS, [`arn:aws:iam::${ACCOUNT}:role/KeyAdmin`]);
    assert.deepEqual(bySid['Allow use of the key']?.Principal.AWS, [`arn:aws:iam::${ACCOUNT}:user/alice`, `arn:aws:iam::${ACCOUNT}:user/bob`]);
  });

  it('lists the keys with search and filters, lists the aliases, and shows a server error in plain words', async () => {
    await nav('Customer managed keys').click();
    const rows = page.locator('tbody tr');
    await page.getByRole('link', { name: /^[0-9a-f-]{36}$/ }).first().waitFor();
    assert.equal(await rows.count(), 5);
    await page.getByLabel('Key usage').selectOption('SIGN_VERIFY');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().textContent() ?? '', /console\/release-signing/);
    await page.getByLabel('Key usage').selectOption('');
    await page.getByLabel('Key state').selectOption('Disabled');
    assert.match(await rows.first().textContent() ?? '', /console\/orders/);
    assert.equal(await rows.count(), 1);
    await page.getByLabel('Key state').selectOption('');
    await page.getByLabel('Search keys').fill('webhooks');
    assert.equal(await rows.count(), 1);
    await page.getByLabel('Search keys').fill('');
    await shot('key-list');
    // Pages of 10.
    for (let i = 0; i < 8; i++) await trent().client().send(new CreateKeyCommand({ Description: `page filler ${i}` }));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByText('Page 1 of 2 (13 keys)').waitFor();
    assert.equal(await rows.count(), 10);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2 of 2 (13 keys)').waitFor();
    assert.equal(await rows.count(), 3);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous page' }).click();

    await nav('Aliases').click();
    await page.getByRole('cell', { name: 'alias/console/ecdh', exact: true }).waitFor();
    await shot('aliases');

    // An invalid key policy is refused in the editor, before it is sent; a server refusal is said in plain words.
    await nav('Customer managed keys').click();
    await page.getByRole('link', { name: /^[0-9a-f-]{36}$/ }).first().click();
    await page.getByRole('button', { name: 'Edit key policy' }).click();
    await page.getByLabel('Key policy (JSON)').fill('{"Statement": [');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('The key policy is not valid JSON').waitFor();
    await page.getByLabel('Key policy (JSON)').fill('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"not-an-arn"},"Action":"kms:*","Resource":"*"}]}');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('alert').filter({ hasText: 'The key policy was refused' }).waitFor();
    await shot('policy-refused');
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('is usable in a narrow window', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await nav('Customer managed keys').click();
    await page.getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('heading', { name: 'Configure key' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await shot('narrow-configure-key');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('link', { name: /^[0-9a-f-]{36}$/ }).first().waitFor();
    await shot('narrow-key-list');
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.deepEqual(pageErrors, []);
  });
});

describe('web console in the serve posture', { skip, timeout: 300_000 }, () => {
  const trent = useTrent({ posture: 'serve' });
  let browser: Browser;
  let page: Page;
  let pageErrors: string[] = [];

  before(async () => { ({ browser, page, pageErrors } = await openBrowser(() => trent().endpoint)); });
  after(async () => { await browser?.close(); });

  it('refuses a wrong secret in plain words; with the administrator key every signed call passes serve\'s checks, and the wizard makes a key', async () => {
    const admin = credentialsFrom(trent().output());
    await page.goto(`${trent().endpoint}/`);
    await page.getByLabel('Access key ID').fill(admin.accessKeyId);
    await page.getByLabel('Secret access key').fill(`${admin.secretAccessKey}x`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Trent did not accept this access key' }).waitFor();
    await screenshot(page, 'serve-sign-in-refused');
    await page.getByLabel('Secret access key').fill(admin.secretAccessKey);
    await page.getByLabel('Region').selectOption('us-west-2');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Customer managed keys' }).waitFor();

    await page.getByRole('link', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Alias', { exact: true }).fill('served');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Define key administrative permissions' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Define key usage permissions' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('pre.policy').waitFor();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByRole('status').filter({ hasText: 'Your KMS key was created with alias alias/served' }).waitFor();
    const { KeyMetadata: meta } = JSON.parse(await awsCli(trent().endpoint, admin, ['describe-key', '--key-id', 'alias/served'])) as { KeyMetadata: { KeyId: string; KeySpec: string; Arn: string } };
    assert.equal(meta.KeySpec, 'SYMMETRIC_DEFAULT');
    const { Policy } = JSON.parse(await awsCli(trent().endpoint, admin, ['get-key-policy', '--key-id', meta.KeyId, '--policy-name', 'default'])) as { Policy: string };
    const account = meta.Arn.split(':')[4];
    // No administrators or users chosen: the account's statement alone.
    assert.deepEqual((JSON.parse(Policy) as { Statement: unknown[] }).Statement,
      [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }]);
    assert.deepEqual(pageErrors, []);
  });
});

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** A GET with its path sent byte for byte as given; the status line and body of the answer. */
function rawGet(endpoint: string, path: string): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(`GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`));
    let out = '';
    socket.on('data', (d: Buffer) => { out += d.toString('latin1'); });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}
