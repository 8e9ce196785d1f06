import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { openssl, Scratch } from '../support/asymmetric.js';
import { useTrent } from '../support/trent.js';

/**
 * The AWS CLI (v1) against Trent, as a user runs it: binary parameters from fileb://, results base64 in text.
 * Each CLI start costs about a second, so this file keeps to the documented sign / get-public-key / verify flow
 * and the wire form of two errors; the SDK tests cover the rest.
 */
describe('asymmetric operations through the AWS CLI', { concurrency: true }, () => {
  const trent = useTrent();
  const scratch = new Scratch();

  /** Keys are made with the SDK: what is under test here is the CLI's use of them. */
  const kms = trent.client();

  /** Runs `aws kms …`; asynchronous so the tests (each a few CLI starts, the slow part) run side by side. */
  function aws(...args: string[]): Promise<{ failed: boolean; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('aws', ['kms', ...args, '--endpoint-url', trent().endpoint, '--output', 'text'], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH, HOME: scratch.dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'test-secret', AWS_DEFAULT_REGION: 'us-west-2',
        },
      }, (error, stdout, stderr) => resolve({ failed: error !== null, stdout: stdout.trim(), stderr }));
    });
  }

  async function ok(...args: string[]): Promise<string> {
    const result = await aws(...args);
    assert.equal(result.failed, false, result.stderr);
    return result.stdout;
  }

  /** The key's public key as a PEM file, from `aws kms get-public-key`. */
  async function publicKeyPem(keyId: string): Promise<string> {
    const der = scratch.file(Buffer.from(await ok('get-public-key', '--key-id', keyId, '--query', 'PublicKey'), 'base64'));
    return scratch.file(openssl('pkey', '-pubin', '-inform', 'DER', '-in', der));
  }

  after(() => { scratch.remove(); });

  test('sign a DIGEST with --message-type DIGEST; openssl and aws kms verify agree', async () => {
    const arn = (await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!.Arn!;
    const message = scratch.file('a document worth signing\n');
    const digest = scratch.file(createHash('sha256').update('a document worth signing\n').digest());
    const signatureB64 = await ok('sign', '--key-id', arn, '--message', `fileb://${digest}`, '--message-type', 'DIGEST',
      '--signing-algorithm', 'ECDSA_SHA_256', '--query', 'Signature');
    const signature = scratch.file(Buffer.from(signatureB64, 'base64'));
    // OpenSSL hashes the document itself: the digest Trent signed was not hashed again.
    assert.match(openssl('dgst', '-sha256', '-verify', await publicKeyPem(arn), '-signature', signature, message).toString(), /Verified OK/);

    assert.equal(await ok('verify', '--key-id', arn, '--message', `fileb://${digest}`, '--message-type', 'DIGEST',
      '--signature', `fileb://${signature}`, '--signing-algorithm', 'ECDSA_SHA_256', '--query', 'SignatureValid'), 'True');
    const tampered = scratch.file(createHash('sha256').update('a document worth forging\n').digest());
    const refused = await aws('verify', '--key-id', arn, '--message', `fileb://${tampered}`, '--message-type', 'DIGEST',
      '--signature', `fileb://${signature}`, '--signing-algorithm', 'ECDSA_SHA_256');
    assert.ok(refused.failed);
    // AWS's message for an invalid signature is empty, and the CLI prints it so.
    assert.match(refused.stderr, /An error occurred \(KMSInvalidSignatureException\) when calling the Verify operation: \s*$/);
  });

  test('get-public-key on a symmetric key: AWS\'s error as the CLI shows it', async () => {
    const symmetric = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const refused = await aws('get-public-key', '--key-id', symmetric);
    assert.ok(refused.failed);
    assert.match(refused.stderr, new RegExp(`\\(UnsupportedOperationException\\) when calling the GetPublicKey operation: ${symmetric} key spec SYMMETRIC_DEFAULT is not supported for this operation\\.`));
  });
});
