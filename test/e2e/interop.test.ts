import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { CommitmentPolicy, KmsKeyringNode, buildClient } from '@aws-crypto/client-node';
import { CreateKeyCommand, KMS, type KeyMetadata } from '@aws-sdk/client-kms';
import { removeDir, useTrent } from '../support/trent.js';

const run = promisify(execFile);
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_DEFAULT_REGION: 'us-west-2' };

describe('interoperability: the AWS Encryption SDK, the AWS CLI, boto3', () => {
  const trent = useTrent();
  let key: KeyMetadata;
  let dir: string;
  before(async () => {
    key = (await trent().client().send(new CreateKeyCommand({}))).KeyMetadata!;
    dir = mkdtempSync(join(tmpdir(), 'trent-interop-'));
  });
  after(() => { removeDir(dir); });

  test('@aws-crypto/client-node encrypts and decrypts a message with a KMS keyring pointed at Trent', async () => {
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
    // The keyring calls the aggregated client's methods (generateDataKey, decrypt), so it takes KMS, not KMSClient.
    const clientProvider = (region: string) => new KMS({
      endpoint: trent().endpoint, region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'test-secret' },
    });
    const keyring = new KmsKeyringNode({ generatorKeyId: key.Arn, clientProvider });
    const plaintext = Buffer.from('an envelope-encrypted message, '.repeat(100));
    const { result } = await encrypt(keyring, plaintext, { encryptionContext: { stage: 'test' } });
    const opened = await decrypt(keyring, result);
    assert.deepEqual(opened.plaintext, plaintext);
    assert.equal(opened.messageHeader.encryptionContext.stage, 'test');
  });

  test('aws kms encrypt / decrypt round-trip a file', async () => {
    const input = join(dir, 'plain.bin');
    writeFileSync(input, Buffer.from('from the AWS CLI'));
    const env = { ...process.env, ...CREDENTIALS };
    const cli = (...args: string[]) => run('aws', ['--endpoint-url', trent().endpoint, '--output', 'json', 'kms', ...args], { env });
    const encrypted = JSON.parse((await cli('encrypt', '--key-id', key.KeyId!, '--plaintext', `fileb://${input}`,
      '--encryption-context', 'app=cli')).stdout) as { CiphertextBlob: string; KeyId: string };
    assert.equal(encrypted.KeyId, key.Arn);
    const blob = join(dir, 'cipher.bin');
    writeFileSync(blob, Buffer.from(encrypted.CiphertextBlob, 'base64'));
    const decrypted = JSON.parse((await cli('decrypt', '--ciphertext-blob', `fileb://${blob}`,
      '--encryption-context', 'app=cli')).stdout) as { Plaintext: string };
    assert.deepEqual(Buffer.from(decrypted.Plaintext, 'base64'), readFileSync(input));
  });

  test('boto3 generate_data_key / decrypt round-trip', async () => {
    const script = `
import boto3, sys
kms = boto3.client('kms', endpoint_url=sys.argv[1])
g = kms.generate_data_key(KeyId=sys.argv[2], KeySpec='AES_256', EncryptionContext={'lib': 'boto3'})
d = kms.decrypt(CiphertextBlob=g['CiphertextBlob'], EncryptionContext={'lib': 'boto3'})
assert d['Plaintext'] == g['Plaintext'] and len(d['Plaintext']) == 32
assert d['KeyId'] == g['KeyId']
print(d['KeyId'])
`;
    const { stdout } = await run('python3', ['-c', script, trent().endpoint, key.KeyId!], { env: { ...process.env, ...CREDENTIALS } });
    assert.equal(stdout.trim(), key.Arn);
  });
});
