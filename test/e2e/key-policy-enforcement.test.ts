/**
 * Key policies in the serve posture: every use of a key is authorized against its policy (explicit Deny,
 * then Allow, default deny), with several access keys of one account and a second account; the dev posture
 * does not enforce them.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GetKeyPolicyCommand,
  KMSServiceException, PutKeyPolicyCommand, ReEncryptCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { cliAccessKey, firstStartRoot, putUserPolicies } from '../support/identities.js';
import { useTrent } from '../support/trent.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException) return { name: e.name, message: e.message };
    throw e;
  }
  assert.fail('expected the call to fail');
}

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

const ACCOUNT_ADMIN = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/admin` }, Action: 'kms:*', Resource: '*' };
const plaintext = Buffer.from('secret');

describe('key policies are enforced in the serve posture', () => {
  const trent = useTrent({ posture: 'serve' });
  let admin: KMSClient;
  let bob: KMSClient;
  let alice: KMSClient;
  let other: KMSClient;

  before(async () => {
    // IAM users, each allowed kms:* by an identity policy, so that what refuses them below is the key policy. The
    // first start's key is the account root, which a policy names by the account.
    admin = trent().client(cliAccessKey(trent(), '--user', 'admin'));
    bob = trent().client(cliAccessKey(trent(), '--user', 'bob'));
    alice = trent().client(cliAccessKey(trent(), '--user', 'alice'));
    other = trent().client(cliAccessKey(trent(), '--user', 'carol', '--account-id', OTHER_ACCOUNT));
    await putUserPolicies(trent(), firstStartRoot(trent()), ['admin', 'bob', 'alice']);
    await putUserPolicies(trent(), cliAccessKey(trent(), '--account-id', OTHER_ACCOUNT), ['carol']);
  });

  async function newKey(client: KMSClient, keyPolicy?: string): Promise<string> {
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Policy: keyPolicy }));
    return KeyMetadata!.Arn!;
  }

  test('the default policy lets every principal of the account whose identity policy allows use the key', async () => {
    const key = await newKey(admin);
    const { CiphertextBlob } = await bob.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    const { Plaintext } = await alice.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext);
  });

  test('a Deny for bob refuses bob, with AWS text, and admin still encrypts', async () => {
    const key = await newKey(admin);
    await admin.send(new PutKeyPolicyCommand({
      KeyId: key,
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:Encrypt', Resource: '*' },
      ),
    }));
    const refused = await failure(bob.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext })));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.equal(refused.message, `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Encrypt on resource: `
      + `${key} with an explicit deny in a resource-based policy`);
    await admin.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    // Only Encrypt is denied: bob still describes the key.
    await bob.send(new DescribeKeyCommand({ KeyId: key }));
  });

  test('a changed key or identity policy decides the very next request, however often the old one allowed it', async () => {
    const key = await newKey(admin);
    const encrypt = () => bob.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    // Asked again and again, as a data plane asks: the verdict is kept (src/policy/verdict-cache.ts).
    for (let i = 0; i < 4; i++) await encrypt();
    const root = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
    await admin.send(new PutKeyPolicyCommand({
      KeyId: key,
      Policy: policy(root, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:Encrypt', Resource: '*' }),
    }));
    for (let i = 0; i < 4; i++) assert.equal((await failure(encrypt())).name, 'AccessDeniedException');
    await admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy(root) }));
    for (let i = 0; i < 4; i++) await encrypt();
    // Bob's own identity policy now allows only Decrypt: the key policy leaves Encrypt to it.
    const onlyDecrypt = policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' });
    await putUserPolicies(trent(), firstStartRoot(trent()), ['bob'], onlyDecrypt);
    try {
      for (let i = 0; i < 4; i++) {
        const refused = await failure(encrypt());
        assert.equal(refused.name, 'AccessDeniedException');
        assert.match(refused.message, /because no identity-based policy allows the kms:Encrypt action/);
      }
    } finally {
      await putUserPolicies(trent(), firstStartRoot(trent()), ['bob']);
    }
    await encrypt();
  });

  test('a policy allowing only alice to decrypt refuses bob, even through the ciphertext alone', async () => {
    const key = await newKey(admin, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: ['kms:Decrypt', 'kms:Encrypt'], Resource: '*',
    }));
    const { CiphertextBlob } = await alice.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    const { Plaintext } = await alice.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext);
    const refused = await failure(bob.send(new DecryptCommand({ CiphertextBlob })));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.equal(refused.message, `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Decrypt on the resource `
      + 'associated with this ciphertext because no resource-based policy allows the kms:Decrypt action');
    const named = await failure(bob.send(new DecryptCommand({ CiphertextBlob, KeyId: key })));
    assert.equal(named.message, `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:Decrypt on resource: `
      + `${key} because no resource-based policy allows the kms:Decrypt action`);
    // Bob is not named at all, so not even DescribeKey.
    assert.equal((await failure(bob.send(new DescribeKeyCommand({ KeyId: key })))).name, 'AccessDeniedException');
  });

  test('a condition on kms:EncryptionContext:purpose', async () => {
    const key = await newKey(admin, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:purpose': 'backup' } },
    }));
    const { CiphertextBlob } = await bob.send(new EncryptCommand({
      KeyId: key, Plaintext: plaintext, EncryptionContext: { purpose: 'backup' },
    }));
    await bob.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: 'backup' } }));
    for (const EncryptionContext of [{ purpose: 'other' }, undefined]) {
      const refused = await failure(bob.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext, EncryptionContext })));
      assert.equal(refused.name, 'AccessDeniedException');
    }
  });

  test('ReEncrypt needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination', async () => {
    const source = await newKey(admin, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: ['kms:Encrypt', 'kms:ReEncryptFrom'], Resource: '*',
    }));
    const destination = await newKey(admin, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:ReEncryptTo', Resource: '*',
    }));
    const { CiphertextBlob } = await bob.send(new EncryptCommand({ KeyId: source, Plaintext: plaintext }));
    const moved = await bob.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: destination }));
    assert.equal(moved.KeyId, destination);
    const backwards = await failure(bob.send(new ReEncryptCommand({ CiphertextBlob: moved.CiphertextBlob, DestinationKeyId: source })));
    assert.match(backwards.message, /is not authorized to perform: kms:ReEncrypt(To|From) /);
  });

  test('CreateAlias needs kms:CreateAlias on the key', async () => {
    const key = await newKey(admin, policy(ACCOUNT_ADMIN));
    const refused = await failure(bob.send(new CreateAliasCommand({ AliasName: 'alias/bobs', TargetKeyId: key })));
    assert.equal(refused.message, `User: arn:aws:iam::${ACCOUNT}:user/bob is not authorized to perform: kms:CreateAlias on resource: `
      + `${key} because no resource-based policy allows the kms:CreateAlias action`);
    await admin.send(new CreateAliasCommand({ AliasName: 'alias/admins', TargetKeyId: key }));
  });

  test('another account is refused until the key policy names it', async () => {
    const key = await newKey(other);
    assert.ok(key.includes(`:${OTHER_ACCOUNT}:key/`));
    const refused = await failure(admin.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext })));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.equal(refused.message, `User: arn:aws:iam::${ACCOUNT}:user/admin is not authorized to perform: kms:Encrypt on resource: `
      + `${key} because no resource-based policy allows the kms:Encrypt action`);
    await other.send(new PutKeyPolicyCommand({
      KeyId: key,
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
      ),
    }));
    const { CiphertextBlob } = await admin.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext }));
    const { Plaintext, KeyId } = await admin.send(new DecryptCommand({ CiphertextBlob }));
    assert.deepEqual(Buffer.from(Plaintext!), plaintext);
    assert.equal(KeyId, key);
    // Key management is never cross-account, whatever the policy says (AWS: not found in the caller's account).
    assert.equal((await failure(admin.send(new GetKeyPolicyCommand({ KeyId: key })))).name, 'NotFoundException');
    // A key ID alone names a key of the caller's own account.
    assert.equal((await failure(admin.send(new EncryptCommand({ KeyId: key.split('/')[1], Plaintext: plaintext })))).name,
      'NotFoundException');
  });

  // Issue 12, finding 1: a StringLike pattern that backtracks in a regex froze the workers for minutes.
  test('an adversarial wildcard in a condition is answered at once', { timeout: 20_000 }, async () => {
    const key = await newKey(alice, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:*', Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:x': '*a*a*a*a*a*b' } },
    }, { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:PutKeyPolicy', Resource: '*' }));
    const started = Date.now();
    const refused = await failure(alice.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext, EncryptionContext: { x: 'a'.repeat(150) } })));
    assert.equal(refused.name, 'AccessDeniedException');
    assert.ok(Date.now() - started < 2_000, `${Date.now() - started} ms`);
    await alice.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext, EncryptionContext: { x: `${'a'.repeat(150)}b` } }));
  });

  // Issue 12, finding 3: condition keys compare without case, encryption context keys with it.
  test('a Deny on an encryption context key is not dodged by adding the key in another case', async () => {
    const key = await newKey(admin, policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:*', Resource: '*',
    }, {
      Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/alice` }, Action: 'kms:Encrypt', Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'secret' } },
    }));
    for (const EncryptionContext of [{ dept: 'secret' }, { DEPT: 'x', dept: 'secret' }, { dept: 'x', Dept: 'secret' }] as Record<string, string>[]) {
      const refused = await failure(alice.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext, EncryptionContext })));
      assert.equal(refused.name, 'AccessDeniedException', JSON.stringify(EncryptionContext));
      assert.match(refused.message, /with an explicit deny in a resource-based policy$/);
    }
    await alice.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext, EncryptionContext: { DEPT: 'x', dept: 'public' } }));
  });

  // Issue 12, finding 5: a Condition of null bricked the key; one of [], 0 or true was read as no condition.
  test('a malformed Condition is refused by CreateKey and PutKeyPolicy', async () => {
    const conditional = (Condition: unknown) => policy(ACCOUNT_ADMIN, {
      Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:Encrypt', Resource: '*', Condition,
    });
    const key = await newKey(admin, policy(ACCOUNT_ADMIN));
    for (const condition of [null, [], 0, true]) {
      for (const call of [() => newKey(admin, conditional(condition)),
        () => admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: conditional(condition) }))]) {
        const refused = await failure(call());
        assert.equal(refused.name, 'MalformedPolicyDocumentException', JSON.stringify(condition));
        assert.equal(refused.message, 'Policy contains a statement with an invalid Condition: it must be an object of condition operators.');
      }
    }
    // The key still works, and bob was never let in.
    assert.equal((await failure(bob.send(new EncryptCommand({ KeyId: key, Plaintext: plaintext })))).name, 'AccessDeniedException');
    await admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy(ACCOUNT_ADMIN) }));
  });

  // Issue 12, finding 6: the lockout check evaluates the new policy for this very caller, conditions included.
  test('the lockout check refuses a policy whose PutKeyPolicy Allow is conditioned on another account', async () => {
    const onlyFor = (account: string) => policy({
      ...ACCOUNT_ADMIN, Condition: { StringEquals: { 'kms:CallerAccount': account } },
    });
    const key = await newKey(admin, policy(ACCOUNT_ADMIN));
    for (const call of [() => newKey(admin, onlyFor('999999999999')),
      () => admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: onlyFor('999999999999') }))]) {
      const refused = await failure(call());
      assert.equal(refused.name, 'MalformedPolicyDocumentException');
      assert.equal(refused.message, 'The new key policy will not allow you to update the key policy in the future.');
    }
    await newKey(admin, onlyFor(ACCOUNT));
    await admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: onlyFor(ACCOUNT) }));
    await admin.send(new PutKeyPolicyCommand({ KeyId: key, Policy: policy(ACCOUNT_ADMIN) }));
  });

  test('an ARN whose partition is not its Region\'s is InvalidArnException', async () => {
    const key = await newKey(admin);
    const wrong = key.replace('arn:aws:', 'arn:aws-cn:');
    const refused = await failure(admin.send(new DescribeKeyCommand({ KeyId: wrong })));
    assert.equal(refused.name, 'InvalidArnException');
    assert.equal(refused.message, `Invalid arn ${wrong}`);
  });
});

describe('the dev posture does not enforce key policies', () => {
  const trent = useTrent();

  test('a policy denying everyone but the lockout check still lets a dev caller encrypt', async () => {
    const kms = trent().client();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({
      Policy: policy(
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:PutKeyPolicy', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' },
      ),
    }));
    await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: plaintext }));
  });
});
