/**
 * The key-state table end to end through @aws-sdk/client-kms: the states the API can reach × every operation
 * Trent implements so far, each answered as src/ops/key-state.ts says. The import operations are tried on keys
 * of imported material (the others refuse every key of another origin, in any state, before the table).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  DisableKeyCommand, EncryptCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, KMSServiceException,
  ReplicateKeyCommand, ScheduleKeyDeletionCommand, type CreateKeyCommandInput, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { KmsError } from '../../src/model/errors.js';
import type { KeyState, OperationName } from '../../src/model/types.gen.js';
import { checkKeyState } from '../../src/ops/key-state.js';
import { BLOB, CALLS, IMPORT_OPERATIONS, type Call } from '../support/key-calls.js';
import { createKey } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

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

const STATE_ERRORS = /is (disabled|pending deletion|pending replica deletion|not pending deletion|pending import|unavailable|creating|updating)\.$/;

describe('key management through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const newKey = (input?: CreateKeyCommandInput) => createKey(kms, input);
  /** A symmetric key of imported material, Enabled: the import operations' table is about such keys. */
  const importedKey = async (input?: CreateKeyCommandInput): Promise<KeyMetadata> => {
    const key = await newKey({ ...input, Origin: 'EXTERNAL' });
    const parameters = await kms.send(new GetParametersForImportCommand({
      KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048',
    }));
    const wrappingKey = createPublicKey({ key: Buffer.from(parameters.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, randomBytes(32));
    await kms.send(new ImportKeyMaterialCommand({
      KeyId: key.KeyId, ImportToken: parameters.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }));
    return key;
  };

  describe('the key-state table over every reachable state × every implemented operation', () => {
    // Creating and Updating last a scheduler pass: test/unit/multi-region-states.test.ts holds keys in them.
    const REACHABLE: readonly KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion', 'PendingReplicaDeletion', 'PendingImport'];
    const CREATED_AS: Partial<Record<KeyState, CreateKeyCommandInput>> = {
      PendingImport: { Origin: 'EXTERNAL' },
      PendingReplicaDeletion: { MultiRegion: true },
    };
    for (const state of REACHABLE) {
      for (const [op, call] of Object.entries(CALLS) as Array<[OperationName, Call]>) {
        test(`${op} on a ${state} key`, async (t) => {
          const key = IMPORT_OPERATIONS.has(op) && state !== 'PendingImport' ? await importedKey(CREATED_AS[state]) : await newKey(CREATED_AS[state]);
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
          if (state === 'PendingReplicaDeletion') {
            // A primary with a replica (Creating or Enabled, either holds it) waits for it.
            await kms.send(new ReplicateKeyCommand({ KeyId: key.Arn, ReplicaRegion: 'eu-west-1' }));
            const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn, PendingWindowInDays: 7 }));
            assert.equal(scheduled.KeyState, 'PendingReplicaDeletion');
          }
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
});
