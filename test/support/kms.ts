import assert from 'node:assert/strict';
import { CreateKeyCommand, KMSServiceException, type CreateKeyCommandInput, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import { KmsError } from '../../src/model/errors.js';

/**
 * How @aws-sdk reports an error whose message is empty on the wire (as AWS sends KMSInvalidSignatureException,
 * KMSInvalidMacException and InvalidCiphertextException): smithy's decorateServiceException fills in this.
 */
export const EMPTY_MESSAGE = 'UnknownError';

/** The message as it was on the wire: the SDK's EMPTY_MESSAGE stands for an empty one. */
export function wireMessage(e: Error): string {
  return e.message === EMPTY_MESSAGE ? '' : e.message;
}

/** CreateKey's KeyMetadata for a new key. */
export async function createKey(kms: KMSClient, input: CreateKeyCommandInput = {}): Promise<KeyMetadata> {
  return (await kms.send(new CreateKeyCommand(input))).KeyMetadata!;
}

/** The KMS error a call fails with (anything else fails the test). */
export async function errorOf(p: Promise<unknown>): Promise<KMSServiceException> {
  try {
    await p;
  } catch (e) {
    if (e instanceof KMSServiceException) return e;
    throw e;
  }
  assert.fail('expected the call to fail');
}

/**
 * Asserts that `e` is the AWS error `name`; with `message`, that its wire message is that string ('' for none)
 * or that its message matches that RegExp.
 */
function assertNamed(e: Error, name: string, message?: string | RegExp): void {
  assert.equal(e.name, name, e.message);
  if (typeof message === 'string') assert.equal(wireMessage(e), message);
  else if (message) assert.match(e.message, message);
}

/** Asserts that a call through @aws-sdk/client-kms fails with the KMS error `name` (and `message`, if given). */
export async function rejects(p: Promise<unknown>, name: string, message?: string | RegExp): Promise<void> {
  assertNamed(await errorOf(p), name, message);
}

/** Asserts that `fn` throws Trent's own KmsError `name` (and `message`, if given) at once, and returns it: rejects for code called in process. */
export function throws(fn: () => unknown, name: string, message?: string | RegExp): KmsError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof KmsError)) throw e;
    assertNamed(e, name, message);
    return e;
  }
  assert.fail('expected the call to throw');
}
