// startTrent() under Vitest (run by test/e2e/vitest.test.ts): one Trent for the file, reset between tests.
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { startTrent } from 'trent';

let trent;
let kms;
beforeAll(async () => {
  trent = await startTrent();
  kms = new KMSClient(trent.clientConfig);
});
afterAll(async () => {
  kms.destroy();
  await trent.stop();
});
beforeEach(() => trent.reset());

test('encrypts and decrypts with a new key', async () => {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: KeyMetadata.KeyId, Plaintext: Buffer.from('vitest') }));
  const { Plaintext } = await kms.send(new DecryptCommand({ CiphertextBlob }));
  expect(Buffer.from(Plaintext).toString()).toBe('vitest');
});

test('starts each test from an empty Trent', async () => {
  expect((await kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
});
