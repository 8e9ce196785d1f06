/**
 * Key management end to end through @aws-sdk/client-kms: the key-state table over the states the API can
 * reach × every operation Trent implements so far (one table), deletion completed by advancing the dev
 * clock, key policies, tags, the resolver's refusals, persistence across a restart, the admin endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand,
  DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand, GetKeyPolicyCommand,
  GetPublicKeyCommand, KMSServiceException, ListAliasesCommand, ListKeyPoliciesCommand, ListKeysCommand,
  ListResourceTagsCommand, PutKeyPolicyCommand, ScheduleKeyDeletionCommand, SignCommand, TagResourceCommand,
  UntagResourceCommand, UpdateAliasCommand, UpdateKeyDescriptionCommand, VerifyCommand, VerifyMacCommand, type KMSClient,
  DisableKeyRotationCommand, EnableKeyRotationCommand, GetKeyLastUsageCommand, GetKeyRotationStatusCommand,
  ListKeyRotationsCommand, ReEncryptCommand, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { KmsError } from '../../src/model/errors.js';
import type { KeyState, OperationName } from '../../src/model/types.gen.js';
import { checkKeyState } from '../../src/ops/key-state.js';
import { removeDir, startTrent, type RunningTrent } from '../support/trent.js';

async function errorOf(p: Promise<unknown>): Promise<KMSServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException) return e;
    throw e;
  }
  assert.fail('expected the call to fail');
}

async function assertError(p: Promise<unknown>, name: string, message: string | RegExp): Promise<void> {
  const e = await errorOf(p);
  assert.equal(e.name, name, e.message);
  if (typeof message === 'string') assert.equal(e.message, message);
  else assert.match(e.message, message);
}

async function admin(trent: RunningTrent, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${trent.endpoint}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

const DAY_S = 86_400;
const BLOB = new Uint8Array(Buffer.from('AQICAHhF', 'base64'));

/** Every operation that takes a key, as a command on the key with ARN `arn` and, for Decrypt, a blob it made. */
type Call = (kms: KMSClient, arn: string, blob: Uint8Array) => Promise<unknown>;
const CALLS: Readonly<Partial<Record<OperationName, Call>>> = {
  DescribeKey: (k, a) => k.send(new DescribeKeyCommand({ KeyId: a })),
  EnableKey: (k, a) => k.send(new EnableKeyCommand({ KeyId: a })),
  DisableKey: (k, a) => k.send(new DisableKeyCommand({ KeyId: a })),
  UpdateKeyDescription: (k, a) => k.send(new UpdateKeyDescriptionCommand({ KeyId: a, Description: 'x' })),
  CancelKeyDeletion: (k, a) => k.send(new CancelKeyDeletionCommand({ KeyId: a })),
  ScheduleKeyDeletion: (k, a) => k.send(new ScheduleKeyDeletionCommand({ KeyId: a })),
  CreateAlias: (k, a) => k.send(new CreateAliasCommand({ AliasName: `alias/m-${Math.random().toString(36).slice(2)}`, TargetKeyId: a })),
  ListAliases: (k, a) => k.send(new ListAliasesCommand({ KeyId: a })),
  TagResource: (k, a) => k.send(new TagResourceCommand({ KeyId: a, Tags: [{ TagKey: 't', TagValue: 'v' }] })),
  UntagResource: (k, a) => k.send(new UntagResourceCommand({ KeyId: a, TagKeys: ['t'] })),
  ListResourceTags: (k, a) => k.send(new ListResourceTagsCommand({ KeyId: a })),
  GetKeyPolicy: (k, a) => k.send(new GetKeyPolicyCommand({ KeyId: a, PolicyName: 'default' })),
  ListKeyPolicies: (k, a) => k.send(new ListKeyPoliciesCommand({ KeyId: a })),
  PutKeyPolicy: async (k, a) => {
    const { Policy } = await k.send(new GetKeyPolicyCommand({ KeyId: a }));
    return k.send(new PutKeyPolicyCommand({ KeyId: a, Policy: Policy! }));
  },
  Encrypt: (k, a) => k.send(new EncryptCommand({ KeyId: a, Plaintext: Buffer.from('p') })),
  Decrypt: (k, a, blob) => k.send(new DecryptCommand({ KeyId: a, CiphertextBlob: blob })),
  GenerateDataKey: (k, a) => k.send(new GenerateDataKeyCommand({ KeyId: a, NumberOfBytes: 16 })),
  GenerateDataKeyWithoutPlaintext: (k, a) => k.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: a, NumberOfBytes: 16 })),
  GenerateDataKeyPair: (k, a) => k.send(new GenerateDataKeyPairCommand({ KeyId: a, KeyPairSpec: 'ECC_NIST_P256' })),
  GenerateDataKeyPairWithoutPlaintext: (k, a) =>
    k.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: a, KeyPairSpec: 'ECC_NIST_P256' })),
  GenerateMac: (k, a) => k.send(new GenerateMacCommand({ KeyId: a, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' })),
  VerifyMac: (k, a) => k.send(new VerifyMacCommand({ KeyId: a, Message: Buffer.from('m'), Mac: BLOB, MacAlgorithm: 'HMAC_SHA_256' })),
  Sign: (k, a) => k.send(new SignCommand({ KeyId: a, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
  Verify: (k, a) => k.send(new VerifyCommand({ KeyId: a, Message: Buffer.from('m'), Signature: BLOB, SigningAlgorithm: 'ECDSA_SHA_256' })),
  GetPublicKey: (k, a) => k.send(new GetPublicKeyCommand({ KeyId: a })),
  ReEncrypt: (k, a, blob) => k.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: a, DestinationKeyId: a })),
  EnableKeyRotation: (k, a) => k.send(new EnableKeyRotationCommand({ KeyId: a })),
  DisableKeyRotation: (k, a) => k.send(new DisableKeyRotationCommand({ KeyId: a })),
  GetKeyRotationStatus: (k, a) => k.send(new GetKeyRotationStatusCommand({ KeyId: a })),
  RotateKeyOnDemand: (k, a) => k.send(new RotateKeyOnDemandCommand({ KeyId: a })),
  ListKeyRotations: (k, a) => k.send(new ListKeyRotationsCommand({ KeyId: a })),
  GetKeyLastUsage: (k, a) => k.send(new GetKeyLastUsageCommand({ KeyId: a })),
};

/** What the table says `op` does to a key in `state`: undefined to proceed, else AWS's error. */
function expectedRefusal(op: OperationName, state: KeyState, arn: string): KmsError | undefined {
  try {
    checkKeyState(op, state, arn, 'AWS_KMS');
    return undefined;
  } catch (e) {
    if (e instanceof KmsError) return e;
    throw e;
  }
}

const STATE_ERRORS = /is (disabled|pending deletion|not pending deletion|pending import|unavailable|creating|updating)\.$/;

describe('key management through @aws-sdk/client-kms', () => {
  let trent: RunningTrent;
  let kms: KMSClient;
  before(async () => {
    trent = await startTrent();
    kms = trent.client();
  });
  after(async () => {
    await trent.stop();
    removeDir(trent.dataDir);
  });

  const newKey = async (input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}) =>
    (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;

  describe('the key-state table over every reachable state × every implemented operation', () => {
    const REACHABLE: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'];
    for (const state of REACHABLE) {
      for (const [op, call] of Object.entries(CALLS) as Array<[OperationName, Call]>) {
        test(`${op} on a ${state} key`, async (t) => {
          const key = await newKey(state === 'PendingImport' ? { Origin: 'EXTERNAL' } : {});
          let blob: Uint8Array | undefined;
          if (state !== 'PendingImport') {
            const made = await kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: Buffer.from('p') })).catch(() => undefined);
            blob = made?.CiphertextBlob;
          }
          if ((op === 'Decrypt' || op === 'ReEncrypt') && !blob) {
            // Decrypt reads the key from its ciphertext first; a key that never encrypted has none to offer.
            t.skip('no ciphertext of this key to decrypt');
            return;
          }
          if (state === 'Disabled') await kms.send(new DisableKeyCommand({ KeyId: key.Arn }));
          if (state === 'PendingDeletion') await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: 7 }));
          const refusal = expectedRefusal(op, state, key.Arn!);
          let outcome: KMSServiceException | undefined;
          try {
            await call(kms, key.Arn!, blob ?? BLOB);
          } catch (e) {
            if (!(e instanceof KMSServiceException)) throw e;
            outcome = e;
          }
          if (outcome?.name === 'UnsupportedOperationException' && /^Trent does not implement/.test(outcome.message)) {
            t.skip(`${op} is not implemented yet`);
            return;
          }
          if (refusal) {
            assert.ok(outcome, `${op} on a ${state} key succeeded; the table refuses it`);
            assert.equal(outcome.name, refusal.type);
            assert.equal(outcome.message, refusal.message);
          } else if (outcome) {
            // Proceeding past the state check, an operation may still refuse for its own reasons (key usage…).
            assert.doesNotMatch(`${outcome.name}: ${outcome.message}`, STATE_ERRORS);
          }
        });
      }
    }
  });

  describe('state changes', () => {
    test('EnableKey and DisableKey are idempotent and change KeyState and Enabled', async () => {
      const key = await newKey();
      for (const [cmd, state] of [[DisableKeyCommand, 'Disabled'], [DisableKeyCommand, 'Disabled'],
        [EnableKeyCommand, 'Enabled'], [EnableKeyCommand, 'Enabled']] as const) {
        await kms.send(new cmd({ KeyId: key.KeyId }));
        const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
        assert.equal(m!.KeyState, state);
        assert.equal(m!.Enabled, state === 'Enabled');
      }
    });

    test('UpdateKeyDescription replaces the description, empty included', async () => {
      const key = await newKey({ Description: 'before' });
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: 'after' }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description, 'after');
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.Arn, Description: '' }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description, '');
    });

    test('ScheduleKeyDeletion answers the ARN, state, date and window; CancelKeyDeletion returns the key to Disabled', async () => {
      const key = await newKey();
      const before = Date.now();
      const s = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      assert.equal(s.KeyId, key.Arn);
      assert.equal(s.KeyState, 'PendingDeletion');
      assert.equal(s.PendingWindowInDays, 30);
      assert.ok(Math.abs(s.DeletionDate!.getTime() - before - 30 * DAY_S * 1000) < 60_000);
      const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(m!.KeyState, 'PendingDeletion');
      assert.deepEqual(m!.DeletionDate, s.DeletionDate);
      await assertError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })), 'KMSInvalidStateException',
        `${key.Arn} is pending deletion.`);
      const c = await kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn }));
      assert.equal(c.KeyId, key.Arn);
      const { KeyMetadata: after } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(after!.KeyState, 'Disabled');
      assert.equal(after!.DeletionDate, undefined);
      await assertError(kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn })), 'KMSInvalidStateException',
        `${key.Arn} is not pending deletion.`);
    });

    test('a key of imported material with none returns to PendingImport when its deletion is cancelled', async () => {
      const key = await newKey({ Origin: 'EXTERNAL' });
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingImport');
    });

    for (const days of [6, 31, 1, 365]) {
      test(`a waiting period of ${days} days is refused and changes nothing`, async () => {
        const key = await newKey();
        await assertError(kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })),
          'ValidationException', `PendingWindowInDays should be between 7 and 30, but it is ${days}`);
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
      });
    }
  });

  describe('the resolver', () => {
    test('key management takes a key ID or key ARN, never an alias', async () => {
      const key = await newKey();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/resolver', TargetKeyId: key.KeyId }));
      const aliasArn = key.Arn!.replace(/key\/.*$/, 'alias/resolver');
      for (const id of ['alias/resolver', aliasArn]) {
        for (const call of [CALLS.EnableKey!, CALLS.DisableKey!, CALLS.ScheduleKeyDeletion!, CALLS.CancelKeyDeletion!,
          CALLS.TagResource!, CALLS.UntagResource!, CALLS.ListResourceTags!, CALLS.GetKeyPolicy!, CALLS.PutKeyPolicy!,
          CALLS.ListKeyPolicies!, CALLS.UpdateKeyDescription!, CALLS.ListAliases!]) {
          await assertError(call(kms, id, BLOB), 'NotFoundException', `Invalid keyId '${id}'`);
        }
      }
      // DescribeKey takes all four forms.
      for (const id of [key.KeyId!, key.Arn!, 'alias/resolver', aliasArn]) {
        assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyId, key.KeyId);
      }
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Enabled');
    });

    test('wrong forms get AWS errors', async () => {
      const key = await newKey();
      const otherRegion = key.Arn!.replace('us-west-2', 'eu-west-1');
      await assertError(kms.send(new EnableKeyCommand({ KeyId: otherRegion })), 'NotFoundException', 'Invalid arn eu-west-1');
      await assertError(kms.send(new EnableKeyCommand({ KeyId: 'arn:aws:s3:::bucket' })), 'InvalidArnException',
        'Invalid arn arn:aws:s3:::bucket');
      await assertError(kms.send(new DisableKeyCommand({ KeyId: 'not-a-key' })), 'NotFoundException', "Invalid keyId 'not-a-key'");
      const missing = '0b3a5c7e-1d2f-4a6b-8c9d-0e1f2a3b4c5d';
      await assertError(kms.send(new DisableKeyCommand({ KeyId: missing })), 'NotFoundException',
        `Key 'arn:aws:kms:us-west-2:111122223333:key/${missing}' does not exist`);
    });
  });

  describe('key policies', () => {
    const policy = (principal: string) => JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'all', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }],
    }, null, 3);

    test('GetKeyPolicy returns exactly what PutKeyPolicy stored, with PolicyName; ListKeyPolicies names default', async () => {
      const key = await newKey();
      const text = policy('arn:aws:iam::111122223333:root');
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.Arn, Policy: text }));
      const got = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
      assert.equal(got.Policy, text);
      assert.equal(got.PolicyName, 'default');
      const list = await kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId }));
      assert.deepEqual(list.PolicyNames, ['default']);
      assert.equal(list.Truncated, false);
    });

    test('refusals change nothing', async () => {
      const key = await newKey();
      const { Policy: original } = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }));
      await assertError(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })), 'NotFoundException',
        'No such policy exists');
      await assertError(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other', Policy: original! })),
        'NotFoundException', 'No such policy exists');
      await assertError(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{not json' })),
        'MalformedPolicyDocumentException', 'The policy document is not valid JSON.');
      await assertError(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: `${policy('arn:aws:iam::111122223333:root')}${' '.repeat(32_768)}` })),
        'LimitExceededException', 'Policy exceeds the maximum size of 32768 bytes.');
      const lockout = policy('arn:aws:iam::999999999999:root');
      await assertError(kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout })),
        'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
      assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, original);
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
      assert.equal((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy, lockout);
    });

    test('ListKeyPolicies paginates: a marker past default gives an empty page; a foreign marker is refused', async () => {
      const key = await newKey();
      const keys = await kms.send(new ListKeysCommand({ Limit: 1 }));
      await assertError(kms.send(new ListKeyPoliciesCommand({ KeyId: key.KeyId, Marker: keys.NextMarker })), 'InvalidMarkerException',
        'The marker that specifies where pagination should next begin is not valid.');
    });
  });

  describe('tags', () => {
    test('TagResource adds and replaces, UntagResource removes, ListResourceTags pages in key order', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'b', TagValue: '1' }] });
      await kms.send(new TagResourceCommand({ KeyId: key.Arn, Tags: [{ TagKey: 'b', TagValue: '2' }, { TagKey: 'a', TagValue: '' }, { TagKey: 'c', TagValue: 'z' }] }));
      const first = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
      assert.deepEqual(first.Tags, [{ TagKey: 'a', TagValue: '' }, { TagKey: 'b', TagValue: '2' }]);
      assert.equal(first.Truncated, true);
      const second = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }));
      assert.deepEqual(second.Tags, [{ TagKey: 'c', TagValue: 'z' }]);
      assert.equal(second.Truncated, false);
      await kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['b', 'absent'] }));
      assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags!.map((t) => t.TagKey), ['a', 'c']);
    });

    test('the 50-tag quota counts existing tags; aws: is reserved; duplicates refused; a refusal changes nothing', async () => {
      const tags = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ TagKey: `${prefix}${i}`, TagValue: 'v' }));
      const key = await newKey({ Tags: tags(40, 'x') });
      await assertError(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: tags(11, 'y') })), 'TagException', 'Too many tags');
      await assertError(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'AWS:x', TagValue: '' }] })),
        'TagException', 'Tags beginning with aws: are reserved');
      await assertError(kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'd', TagValue: '1' }, { TagKey: 'd', TagValue: '2' }] })),
        'TagException', 'Duplicate tag keys');
      const all = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 1000 }));
      assert.equal(all.Tags!.length, 40);
      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [...tags(10, 'y'), { TagKey: 'x0', TagValue: 'new' }] }));
      const full = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 1000 }));
      assert.equal(full.Tags!.length, 50, 'at most 50 in a page, and all 50 held');
      assert.equal(full.Truncated, false);
    });
  });

  describe('deletion that really happens', () => {
    test('advancing the dev clock past the deletion date deletes the key, its aliases and its tags', async () => {
      const key = await newKey({ Tags: [{ TagKey: 'k', TagValue: 'v' }] });
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
      const { DeletionDate } = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
      const early = await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: 6 * DAY_S });
      assert.equal(early.status, 200);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
      const later = await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: DAY_S + 60 });
      assert.ok(new Date(later.json.now) > DeletionDate!);
      assert.ok(later.json.offsetSeconds >= 7 * DAY_S);
      await assertError(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException',
        `Key '${key.Arn}' does not exist`);
      await assertError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), 'NotFoundException',
        `Alias ${key.Arn!.replace(/key\/.*$/, 'alias/doomed')} is not found.`);
      const listed = await kms.send(new ListKeysCommand({ Limit: 1000 }));
      assert.ok(!listed.Keys!.some((k) => k.KeyId === key.KeyId));
      assert.equal((await admin(trent, 'GET', '/-/admin/clock')).json.offsetSeconds, later.json.offsetSeconds);
    });

    test('the admin endpoints refuse what they do not know', async () => {
      assert.equal((await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: -1 })).status, 400);
      assert.equal((await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: 'soon' })).status, 400);
      assert.equal((await admin(trent, 'GET', '/-/admin/reset')).status, 405);
      assert.equal((await admin(trent, 'GET', '/-/admin/nothing')).status, 404);
    });
  });
});

describe('persistence, restart and reset', () => {
  test('every change survives a restart, the clock offset too; reset wipes keys and the offset', async () => {
    let trent = await startTrent();
    const dataDir = trent.dataDir;
    try {
      let kms = trent.client();
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'kept' }));
      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: key.KeyId }));
      await kms.send(new UpdateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: other.KeyId }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/gone', TargetKeyId: key.KeyId }));
      await kms.send(new DeleteAliasCommand({ AliasName: 'alias/gone' }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: other.KeyId, PendingWindowInDays: 30 }));
      await admin(trent, 'POST', '/-/admin/clock', { advanceSeconds: 3 * DAY_S });
      await trent.stop();

      trent = await startTrent({ dataDir });
      kms = trent.client();
      const { KeyMetadata: m } = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      assert.equal(m!.KeyState, 'Disabled');
      assert.equal(m!.Description, 'kept');
      assert.deepEqual((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags, [{ TagKey: 'k', TagValue: 'v' }]);
      const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!;
      assert.deepEqual(aliases.map((a) => [a.AliasName, a.TargetKeyId]), [['alias/kept', other.KeyId]]);
      assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: other.KeyId }))).KeyMetadata!.KeyState, 'PendingDeletion');
      assert.equal((await admin(trent, 'GET', '/-/admin/clock')).json.offsetSeconds, 3 * DAY_S);

      const reset = await admin(trent, 'POST', '/-/admin/reset');
      assert.equal(reset.status, 200);
      assert.equal(reset.json.offsetSeconds, 0);
      assert.deepEqual((await kms.send(new ListKeysCommand({}))).Keys, []);
      assert.deepEqual((await kms.send(new ListAliasesCommand({}))).Aliases, []);
    } finally {
      await trent.stop();
      removeDir(dataDir);
    }
  });

  test('serve has no admin endpoints', async () => {
    const trent = await startTrent({ posture: 'serve' });
    try {
      for (const [method, path] of [['GET', '/-/admin/clock'], ['POST', '/-/admin/clock'], ['POST', '/-/admin/reset']]) {
        const res = await admin(trent, method!, path!, method === 'POST' ? { advanceSeconds: 1 } : undefined);
        assert.equal(res.status, 404);
        assert.equal(res.json.__type, 'NotFoundException');
      }
    } finally {
      await trent.stop();
      removeDir(trent.dataDir);
    }
  });
});
