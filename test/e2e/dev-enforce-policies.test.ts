/**
 * `trent dev --enforce-policies`: the emulator keeps accepting any credentials, but enforces key policies and
 * grants as serve does, and its log names the statement that refused a request; without the switch nothing is
 * enforced.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, EncryptCommand, KMSServiceException, RetireGrantCommand,
} from '@aws-sdk/client-kms';
import { useTrent } from '../support/trent.js';

const OWNER = '111122223333';
const OTHER = '444455556666';

async function refusal(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException) return { name: e.name, message: e.message };
    throw e;
  }
  assert.fail('expected the call to be refused');
}

/** A policy that lets the owner do everything but Encrypt, and the other account nothing. */
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' },
    { Sid: 'NoEncryptHere', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:Encrypt', Resource: '*' },
  ],
});

describe('dev --enforce-policies', () => {
  const trent = useTrent({ posture: 'dev', args: ['--enforce-policies'] });

  test('a key policy Deny refuses, and the log names the statement', async () => {
    const owner = trent().client({ accessKeyId: OWNER });
    const { KeyMetadata } = await owner.send(new CreateKeyCommand({ Policy: POLICY }));
    const keyId = KeyMetadata!.KeyId!;
    const denied = await refusal(owner.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, /with an explicit deny in a resource-based policy$/);
    // The log line may reach the primary's stdout a moment after the answer.
    for (let i = 0; i < 50 && !/Encrypt \S+ 400 AccessDeniedException \(key policy statement NoEncryptHere\)/.test(trent().output()); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.match(trent().output(), /Encrypt \S+ 400 AccessDeniedException \(key policy statement NoEncryptHere\)/);
  });

  test("another account reaches the key only through a grant", async () => {
    const owner = trent().client({ accessKeyId: OWNER });
    const other = trent().client({ accessKeyId: OTHER });
    const { KeyMetadata } = await owner.send(new CreateKeyCommand({}));
    const keyArn = KeyMetadata!.Arn!;
    const { CiphertextBlob } = await owner.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('shared') }));
    const denied = await refusal(other.send(new DecryptCommand({ CiphertextBlob })));
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, /because no resource-based policy allows the kms:Decrypt action$/);
    const { GrantId } = await owner.send(new CreateGrantCommand({
      KeyId: keyArn, GranteePrincipal: `arn:aws:iam::${OTHER}:root`, Operations: ['Decrypt'],
    }));
    const { Plaintext } = await other.send(new DecryptCommand({ CiphertextBlob }));
    assert.equal(Buffer.from(Plaintext!).toString(), 'shared');
    await owner.send(new RetireGrantCommand({ KeyId: keyArn, GrantId }));
    assert.equal((await refusal(other.send(new DecryptCommand({ CiphertextBlob })))).name, 'AccessDeniedException');
  });
});

describe('dev without the switch', () => {
  const trent = useTrent({ posture: 'dev' });

  test('policies are stored, not enforced', async () => {
    const owner = trent().client({ accessKeyId: OWNER });
    const { KeyMetadata } = await owner.send(new CreateKeyCommand({ Policy: POLICY }));
    const { CiphertextBlob } = await owner.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') }));
    assert.ok(CiphertextBlob && CiphertextBlob.length > 0);
  });
});
