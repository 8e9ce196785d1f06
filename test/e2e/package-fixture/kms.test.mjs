// A user's test file: the packed trent, imported by name, driven over its KMS API with plain fetch (dev accepts
// unsigned requests), so the folder needs nothing installed but trent.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { startTrent } from 'trent';

async function kms(trent, operation, input) {
  const res = await fetch(trent.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` },
    body: JSON.stringify(input),
  });
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(body.message ?? ''), { name: body.__type });
  return body;
}

test('creates a key, encrypts and decrypts, and the deletion window passes with the clock', async () => {
  const trent = await startTrent({ region: 'eu-west-1' });
  try {
    const { KeyMetadata: key } = await kms(trent, 'CreateKey', { Description: 'from the package' });
    assert.match(key.Arn, /^arn:aws:kms:eu-west-1:111122223333:key\//);
    const plaintext = Buffer.from('hello from a user').toString('base64');
    const { CiphertextBlob } = await kms(trent, 'Encrypt', { KeyId: key.KeyId, Plaintext: plaintext });
    const decrypted = await kms(trent, 'Decrypt', { CiphertextBlob });
    assert.equal(decrypted.Plaintext, plaintext);
    await kms(trent, 'ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 7 });
    await trent.advanceClock(8 * 86400);
    await assert.rejects(kms(trent, 'DescribeKey', { KeyId: key.KeyId }), { name: 'NotFoundException' });
  } finally {
    await trent.stop();
  }
  assert.equal(existsSync(trent.dataDir), false);
});

test('reset leaves no key behind', async () => {
  const trent = await startTrent();
  try {
    await kms(trent, 'CreateKey', {});
    await trent.reset();
    assert.deepEqual((await kms(trent, 'ListKeys', {})).Keys, []);
  } finally {
    await trent.stop();
  }
});
