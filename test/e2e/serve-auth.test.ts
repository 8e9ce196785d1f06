import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { CreateKeyCommand, KMSClient, KMSServiceException, ListKeysCommand } from '@aws-sdk/client-kms';
import { REPO, credentialsFrom, useTrent } from '../support/trent.js';

async function errorName(p: Promise<unknown>): Promise<[string, string]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException || e instanceof Error) return [e.name, e.message];
  }
  assert.fail('expected the call to fail');
}

describe('the serve posture verifies SigV4 against its own access keys', () => {
  const trent = useTrent({ posture: 'serve' });
  let admin: { accessKeyId: string; secretAccessKey: string };
  before(() => { admin = credentialsFrom(trent().output()); });

  test('the first start printed an administrator key that works', async () => {
    assert.match(admin.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
    const kms = trent().client(admin);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    assert.equal(KeyMetadata!.AWSAccountId, '111122223333');
  });

  test('an unknown access key is UnrecognizedClientException', async () => {
    const [name, message] = await errorName(trent().client({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }).send(new ListKeysCommand({})));
    assert.equal(name, 'UnrecognizedClientException');
    assert.equal(message, 'The security token included in the request is invalid.');
  });

  test('a wrong secret is InvalidSignatureException', async () => {
    const [name] = await errorName(trent().client({ ...admin, secretAccessKey: 'wrong' }).send(new ListKeysCommand({})));
    assert.equal(name, 'InvalidSignatureException');
  });

  test('a request signed outside the allowed clock skew is refused as expired', async () => {
    const skewed = new KMSClient({
      endpoint: trent().endpoint, region: 'us-west-2', credentials: admin, maxAttempts: 1, systemClockOffset: -10 * 60 * 1000,
    });
    const [name, message] = await errorName(skewed.send(new ListKeysCommand({})));
    assert.equal(name, 'InvalidSignatureException');
    assert.match(message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
  });

  test('a request without Authorization is MissingAuthenticationTokenException', async () => {
    const res = await fetch(trent().endpoint, {
      method: 'POST', body: '{}', headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
  });

  test('trent access-key create, list and delete manage further keys', async () => {
    const cli = (...args: string[]) => execFileSync(process.execPath,
      [join(REPO, 'bin', 'trent.js'), 'access-key', ...args, ...trent().storeArgs], { encoding: 'utf8' });
    const created = credentialsFrom(cli('create', '--user', 'ci'));
    assert.match(cli('list'), new RegExp(`${created.accessKeyId}\\t111122223333\\tci`));
    // The user ci exists, and is known by its key: with no identity policy it may not list keys.
    assert.equal((await errorName(trent().client(created).send(new ListKeysCommand({}))))[0], 'AccessDeniedException');
    // Without --user, a key of the account root, which needs none.
    const root = credentialsFrom(cli('create'));
    assert.match(cli('list'), new RegExp(`${root.accessKeyId}\\t111122223333\\t\\(root\\)`));
    await trent().client(root).send(new ListKeysCommand({}));
    cli('delete', created.accessKeyId);
    assert.doesNotMatch(cli('list'), new RegExp(created.accessKeyId));
    // The server caches identities for at most five seconds.
    await new Promise((r) => setTimeout(r, 5_500));
    const [name] = await errorName(trent().client(created).send(new ListKeysCommand({})));
    assert.equal(name, 'UnrecognizedClientException');
  });
});
