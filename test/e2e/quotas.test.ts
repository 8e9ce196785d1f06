/**
 * Quotas end to end through @aws-sdk/client-kms: keys per account and Region (race-free across workers), aliases
 * per key, the encryption context's size (refused before any work), and request rates (ThrottlingException).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CreateAliasCommand, CreateGrantCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateRandomCommand, ListKeysCommand, ListResourceTagsCommand,
  ScheduleKeyDeletionCommand, UpdateAliasCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { createKey, errorOf, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

const THROTTLED = 'You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.';

async function keyCount(kms: KMSClient): Promise<number> {
  return (await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys!.length;
}

describe('quotas on a node of two workers', () => {
  const trent = useTrent({
    args: ['--workers', '2', '--quota', 'keys-per-region=8', '--quota', 'aliases-per-key=2', '--quota', 'rate.ListResourceTags=2',
      '--quota', 'grants-per-key=5', '--quota', 'grants-per-grantee-per-key=3'],
  });
  const kms = trent.client();

  test('keys per Region: racing CreateKeys on two workers never pass the quota; every key counts, whatever its state', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => createKey(kms)));
    const created = results.filter((r) => r.status === 'fulfilled');
    assert.equal(created.length, 8);
    assert.equal(await keyCount(kms), 8);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.equal((r.reason as Error).name, 'LimitExceededException');
        assert.equal((r.reason as Error).message, 'Key quota for this account in this region is 8 but the current usage is 8.');
      }
    }
    // A key pending deletion still counts, as in AWS.
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: (created[0] as PromiseFulfilledResult<{ KeyId?: string }>).value.KeyId }));
    await rejects(createKey(kms), 'LimitExceededException');
  });

  test('keys per Region: counted per account and per Region', async () => {
    assert.ok((await createKey(trent.client({ region: 'eu-west-1' }))).KeyId);
    assert.ok((await createKey(trent.client({ accessKeyId: '444455556666' }))).KeyId);
  });

  test('aliases per key: CreateAlias and UpdateAlias onto a key that has the most refuse with LimitExceededException', async () => {
    const other = trent.client({ accessKeyId: '777788889999' });
    const full = await createKey(other);
    const spare = await createKey(other);
    await other.send(new CreateAliasCommand({ AliasName: 'alias/q/1', TargetKeyId: full.KeyId }));
    await other.send(new CreateAliasCommand({ AliasName: 'alias/q/2', TargetKeyId: full.KeyId }));
    const message = `The KMS key ${full.KeyId} already has 2 aliases, the most a KMS key can have.`;
    await rejects(other.send(new CreateAliasCommand({ AliasName: 'alias/q/3', TargetKeyId: full.KeyId })), 'LimitExceededException', message);
    await other.send(new CreateAliasCommand({ AliasName: 'alias/q/3', TargetKeyId: spare.KeyId }));
    await rejects(other.send(new UpdateAliasCommand({ AliasName: 'alias/q/3', TargetKeyId: full.KeyId })), 'LimitExceededException', message);
  });
  test('grants per key and per grantee: racing CreateGrants on two workers never pass either quota', async () => {
    const other = trent.client({ accessKeyId: '555566667777' });
    const key = await createKey(other);
    const grant = (grantee: string) => other.send(new CreateGrantCommand({
      KeyId: key.KeyId, GranteePrincipal: `arn:aws:iam::555566667777:user/${grantee}`, Operations: ['Decrypt'],
    }));
    const toBob = await Promise.allSettled(Array.from({ length: 6 }, () => grant('bob')));
    assert.equal(toBob.filter((r) => r.status === 'fulfilled').length, 3);
    assert.ok(toBob.every((r) => r.status === 'fulfilled' || (r.reason as Error).name === 'LimitExceededException'));
    const toOthers = await Promise.allSettled(['carol', 'dan', 'erin', 'frank'].map(grant));
    assert.equal(toOthers.filter((r) => r.status === 'fulfilled').length, 2);
  });

  test('a request rate is split between the workers: together they never pass it', async () => {
    const key = await createKey(trent.client({ accessKeyId: '123412341234' }));
    const results = await Promise.allSettled(Array.from({ length: 12 },
      () => trent.client({ accessKeyId: '123412341234' }).send(new ListResourceTagsCommand({ KeyId: key.KeyId }))));
    const passed = results.filter((r) => r.status === 'fulfilled').length;
    // Each worker lets one request of the two through (more only if the burst outlasted a second).
    assert.ok(passed >= 1 && passed <= 2, `${passed} of 12 passed`);
  });
});

describe('the encryption context size quota (default 8,192 bytes)', () => {
  const trent = useTrent();
  const kms = trent.client();

  /** `pairs` pairs of 6-byte keys and values, padded by one pair to exactly `bytes`. */
  function context(bytes: number): Record<string, string> {
    const out: Record<string, string> = {};
    let left = bytes;
    for (let i = 0; left > 1000; i++, left -= 12) out[`k${String(i).padStart(5, '0')}`] = 'vvvvvv';
    out.last = 'x'.repeat(left - 4);
    return out;
  }

  test('a context of exactly 8,192 bytes works; one byte more is LimitExceededException', async () => {
    const key = await createKey(kms);
    const at = context(8192);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('hi'), EncryptionContext: at }));
    const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: at }));
    assert.equal(Buffer.from(Plaintext!).toString(), 'hi');
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('hi'), EncryptionContext: context(8193) })),
      'LimitExceededException', "Value at 'encryptionContext' exceeds the quota of 8192 bytes for its keys and values together.");
  });

  test('the 70,000-pair context of issue 12 is refused in milliseconds, before the key is looked up', async () => {
    const huge: Record<string, string> = {};
    // About 800 KB of JSON: under the 1 MiB body limit, as the was.
    for (let i = 0; i < 70_000; i++) huge[i.toString(36)] = 'vv';
    // Unsigned (the dev posture takes it) and serialized once, so the time is the server's.
    const body = JSON.stringify({ KeyId: 'alias/none', Plaintext: 'aGk=', EncryptionContext: huge });
    const started = performance.now();
    const res = await fetch(trent().endpoint, {
      method: 'POST', body,
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' },
    });
    const ms = performance.now() - started;
    // A key that does not exist: the answer is the quota's, so nothing after decoding ran.
    assert.equal((await res.json() as { __type: string }).__type, 'LimitExceededException');
    console.log(`70,000-pair encryption context (${(body.length / 1024).toFixed(0)} KiB) refused in ${ms.toFixed(0)} ms`);
  });
});

describe('request-rate quotas', () => {
  // One worker: it enforces the whole rate (each of N workers enforces rate / N). Rates of 1 per second, so
  // that no token comes back during a burst, however slow the machine.
  const trent = useTrent({ args: ['--workers', '1'], env: { TRENT_QUOTAS: 'rate.symmetric=1,rate.DescribeKey=1' } });
  const kms = trent.client();

  /** Sends `n` calls at once; the names of those that failed. */
  async function burst(n: number, call: () => Promise<unknown>): Promise<string[]> {
    const results = await Promise.allSettled(Array.from({ length: n }, call));
    return results.flatMap((r) => {
      if (r.status === 'fulfilled') return [];
      assert.equal((r.reason as Error).message, THROTTLED);
      return [(r.reason as Error).name];
    });
  }

  const aSecond = () => new Promise((r) => setTimeout(r, 1100));

  test('a burst past the rate is ThrottlingException; a second later the rate is back', async () => {
    const key = await createKey(kms);
    const describe = () => kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    assert.deepEqual(await burst(4, describe), ['ThrottlingException', 'ThrottlingException', 'ThrottlingException']);
    await aSecond();
    assert.deepEqual(await burst(1, describe), []);
  });

  test('the symmetric quota is shared by the operations AWS shares it among, and charged to the caller account', async () => {
    const key = await createKey(kms);
    await aSecond();
    assert.deepEqual(await burst(1, () => kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }))), []);
    const failed = await burst(3, () => kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 })));
    assert.deepEqual(failed, ['ThrottlingException', 'ThrottlingException', 'ThrottlingException']);
    // Another account, or the same one in another Region, has its own.
    assert.deepEqual(await burst(1, () => trent.client({ accessKeyId: '444455556666' }).send(new GenerateRandomCommand({ NumberOfBytes: 8 }))), []);
    assert.deepEqual(await burst(1, () => trent.client({ region: 'eu-west-1' }).send(new GenerateRandomCommand({ NumberOfBytes: 8 }))), []);
  });

  test('operations without a configured rate are not limited', async () => {
    assert.deepEqual(await burst(20, () => kms.send(new ListKeysCommand({}))), []);
  });
});
