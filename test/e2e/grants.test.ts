/**
 * Grants through @aws-sdk/client-kms in the serve posture: a grantee with no key policy permission uses
 * exactly the granted operations under the grant's constraints, from the moment CreateGrant answers until
 * RetireGrant or RevokeGrant answers; listing, idempotent names, DryRun and the errors.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, ListGrantsCommand,
  ListRetirableGrantsCommand, RetireGrantCommand, RevokeGrantCommand, ScheduleKeyDeletionCommand, SignCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { rejects } from '../support/kms.js';
import { cliAccessKey, firstStartRoot, putUserPolicies } from '../support/identities.js';
import { useTrent } from '../support/trent.js';

const ACCOUNT = '111122223333';
const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;
/** A key only its owner may use: bob and carol have no key policy permission. */
const ownerOnly = (owner: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: user(owner) }, Action: 'kms:*', Resource: '*' }],
});

describe('grants are enforced in the serve posture', () => {
  const trent = useTrent({ posture: 'serve' });
  let alice: KMSClient;
  let bob: KMSClient;
  let carol: KMSClient;

  before(async () => {
    alice = trent().client(cliAccessKey(trent(), '--user', 'alice'));
    bob = trent().client(cliAccessKey(trent(), '--user', 'bob'));
    carol = trent().client(cliAccessKey(trent(), '--user', 'carol'));
    // Alice makes the keys; bob and carol get no key permission from IAM: what they may do, grants give them.
    const allow = (Action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] });
    await putUserPolicies(trent(), firstStartRoot(trent()), ['alice'], allow('kms:CreateKey'));
    await putUserPolicies(trent(), firstStartRoot(trent()), ['bob', 'carol'], allow('kms:ListRetirableGrants'));
  });

  const newKey = async (input: { KeySpec?: 'ECC_NIST_P256'; KeyUsage?: 'SIGN_VERIFY' } = {}) =>
    (await alice.send(new CreateKeyCommand({ Policy: ownerOnly('alice'), ...input }))).KeyMetadata!.Arn!;
  const encrypt = (client: KMSClient, KeyId: string, EncryptionContext?: Record<string, string>) =>
    client.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('p'), EncryptionContext }));

  test('a grantee uses the granted operations under the constraint, and nothing else', async () => {
    const key = await newKey();
    await rejects(encrypt(bob, key), 'AccessDeniedException');
    const { GrantId, GrantToken } = await alice.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: user('bob'), Operations: ['Encrypt', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { dept: 'eng' } },
    }));
    assert.match(GrantId!, /^[0-9a-f]{64}$/);
    assert.ok(GrantToken);
    // In force at once, on whichever worker answers.
    const { CiphertextBlob } = await encrypt(bob, key, { dept: 'eng', app: 'x' });
    await encrypt(bob, key, { DEPT: 'eng' });
    await rejects(encrypt(bob, key, { dept: 'ops' }), 'AccessDeniedException');
    await rejects(encrypt(bob, key), 'AccessDeniedException');
    await rejects(encrypt(bob, key, { dept: 'eng', DEPT: 'ops' }), 'AccessDeniedException');
    const { Plaintext } = await bob.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { dept: 'eng', app: 'x' } }));
    assert.equal(Buffer.from(Plaintext!).toString(), 'p');
    await rejects(bob.send(new DescribeKeyCommand({ KeyId: key })), 'AccessDeniedException');
    await rejects(encrypt(carol, key, { dept: 'eng' }), 'AccessDeniedException');

    const { Grants } = await alice.send(new ListGrantsCommand({ KeyId: key }));
    assert.deepEqual(Grants!.map((g) => [g.KeyId, g.GrantId, g.GranteePrincipal, g.IssuingAccount, g.Operations, g.Constraints]), [
      [key, GrantId, user('bob'), `arn:aws:iam::${ACCOUNT}:root`, ['Encrypt', 'Decrypt'], { EncryptionContextSubset: { dept: 'eng' } }],
    ]);
    await alice.send(new RevokeGrantCommand({ KeyId: key, GrantId }));
    await rejects(encrypt(bob, key, { dept: 'eng' }), 'AccessDeniedException');
    await rejects(alice.send(new RevokeGrantCommand({ KeyId: key, GrantId })), 'NotFoundException', `Grant ID ${GrantId} not found`);
  });

  test('RetireGrant: by the retiring principal with the token, by a grantee allowed to, not by others', async () => {
    const key = await newKey();
    const made = await alice.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: user('bob'), RetiringPrincipal: user('carol'), Operations: ['Encrypt'],
    }));
    const { Grants } = await carol.send(new ListRetirableGrantsCommand({ RetiringPrincipal: user('carol') }));
    assert.deepEqual(Grants!.map((g) => g.GrantId), [made.GrantId]);
    await rejects(bob.send(new RetireGrantCommand({ GrantToken: made.GrantToken })), 'AccessDeniedException');
    await carol.send(new RetireGrantCommand({ GrantToken: made.GrantToken }));
    await rejects(encrypt(bob, key), 'AccessDeniedException');

    const self = await alice.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('bob'), Operations: ['Encrypt', 'RetireGrant'] }));
    await encrypt(bob, key);
    await bob.send(new RetireGrantCommand({ KeyId: key, GrantId: self.GrantId }));
    await rejects(encrypt(bob, key), 'AccessDeniedException');
    await rejects(bob.send(new RetireGrantCommand({ GrantToken: 'not-a-token' })), 'InvalidGrantTokenException');
  });

  test('a Name makes CreateGrant idempotent; DryRun changes nothing', async () => {
    const key = await newKey();
    const input = { KeyId: key, GranteePrincipal: user('bob'), Operations: ['Encrypt' as const], Name: 'app-encrypt' };
    const first = await alice.send(new CreateGrantCommand(input));
    const again = await alice.send(new CreateGrantCommand(input));
    assert.equal(again.GrantId, first.GrantId);
    assert.notEqual(again.GrantToken, first.GrantToken);
    const other = await alice.send(new CreateGrantCommand({ ...input, Operations: ['Encrypt', 'Decrypt'] }));
    assert.notEqual(other.GrantId, first.GrantId);
    await rejects(alice.send(new CreateGrantCommand({ ...input, Name: 'dry', DryRun: true })), 'DryRunOperationException');
    assert.equal((await alice.send(new ListGrantsCommand({ KeyId: key }))).Grants!.length, 2);
    const byGrantee = await alice.send(new ListGrantsCommand({ KeyId: key, GranteePrincipal: user('bob'), Limit: 1 }));
    assert.equal(byGrantee.Grants!.length, 1);
    assert.equal(byGrantee.Truncated, true);
  });

  test('a grantee allowed CreateGrant gives no more than its grant', async () => {
    const key = await newKey();
    await alice.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: user('bob'), Operations: ['Encrypt', 'Decrypt', 'CreateGrant'],
      Constraints: { EncryptionContextSubset: { dept: 'eng' } },
    }));
    await bob.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: user('carol'), Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { dept: 'eng' } },
    }));
    await rejects(bob.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('carol'), Operations: ['Decrypt'] })),
      'AccessDeniedException');
    await rejects(bob.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: user('carol'), Operations: ['GenerateDataKey'], Constraints: { EncryptionContextSubset: { dept: 'eng' } },
    })), 'AccessDeniedException');
  });

  test('operations must fit the key; constraints are for symmetric keys; grants go with their key', async () => {
    const signing = await newKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    await rejects(alice.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: user('bob'), Operations: ['Encrypt'] })),
      'ValidationException', /Grant operations \[Encrypt\] are not valid/);
    await rejects(alice.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: user('bob'), Operations: ['CreateGrant'] })),
      'ValidationException', 'Grants must not contain only the CreateGrant operation.');
    await rejects(alice.send(new CreateGrantCommand({
      KeyId: signing, GranteePrincipal: user('bob'), Operations: ['Sign'], Constraints: { EncryptionContextEquals: { a: 'b' } },
    })), 'ValidationException', /only symmetric encryption KMS keys take them/);
    await alice.send(new CreateGrantCommand({ KeyId: signing, GranteePrincipal: user('bob'), Operations: ['Sign'] }));
    await bob.send(new SignCommand({ KeyId: signing, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' }));
    await alice.send(new ScheduleKeyDeletionCommand({ KeyId: signing, PendingWindowInDays: 7 }));
    assert.equal((await alice.send(new ListGrantsCommand({ KeyId: signing }))).Grants!.length, 1);
  });
  test('key policies condition CreateGrant on the grant it would make (kms:GrantOperations, kms:GranteePrincipal)', async () => {
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: user('alice') }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: user('bob') }, Action: 'kms:CreateGrant', Resource: '*', Condition: {
        'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'DescribeKey'] },
        StringEquals: { 'kms:GranteePrincipal': user('carol') },
      } },
    ] });
    const key = (await alice.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!;
    await bob.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('carol'), Operations: ['Decrypt'] }));
    await rejects(bob.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('carol'), Operations: ['Encrypt'] })),
      'AccessDeniedException');
    await rejects(bob.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('bob'), Operations: ['Decrypt'] })),
      'AccessDeniedException');
  });
  test('an explicit Deny in the key policy beats a grant', async () => {
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [
      { Effect: 'Allow', Principal: { AWS: user('alice') }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: user('bob') }, Action: 'kms:Decrypt', Resource: '*' },
    ] });
    const key = (await alice.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.Arn!;
    await alice.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('bob'), Operations: ['Encrypt', 'Decrypt'] }));
    const { CiphertextBlob } = await encrypt(bob, key);
    await rejects(bob.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException', /with an explicit deny/);
  });

  test('ListRetirableGrants takes a principal of the caller\'s account only', async () => {
    await rejects(bob.send(new ListRetirableGrantsCommand({ RetiringPrincipal: 'arn:aws:iam::444455556666:user/x' })), 'AccessDeniedException');
  });
  test('many grantees creating grants at once never starve the store (each reads its grants in its own transaction)', async () => {
    const key = await newKey();
    await alice.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('bob'), Operations: ['Decrypt', 'CreateGrant'] }));
    // More at once than a worker's PostgreSQL pool holds connections (8).
    const made = await Promise.all(Array.from({ length: 24 }, () =>
      bob.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: user('carol'), Operations: ['Decrypt'] }))));
    assert.equal(new Set(made.map((m) => m.GrantId)).size, 24);
  });
});
