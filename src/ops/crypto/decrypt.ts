import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { refuseRecipient } from '../recipient.js';
import { checkDecryptKey, decryptWith, requireCiphertext } from './data-plane.js';
import { arnOf } from '../../util/arn.js';

/**
 * Decrypt. Under DryRun the ciphertext is decrypted too (AWS validates it), unless DryRunModifiers says
 * IGNORE_CIPHERTEXT, when only the named key is checked.
 */
export const decrypt: Handler<'Decrypt'> = async (input, ctx) => {
  refuseRecipient(input.Recipient);
  if (input.DryRun && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    await checkDecryptKey(ctx, 'Decrypt', input.KeyId, 'KeyId');
    stopIfDryRun(input.DryRun);
  }
  const opened = await decryptWith(ctx, 'Decrypt', requireCiphertext(input.CiphertextBlob), {
    keyId: input.KeyId, algorithm: input.EncryptionAlgorithm, context: input.EncryptionContext,
  });
  stopIfDryRun(input.DryRun);
  return {
    KeyId: arnOf(opened.key),
    Plaintext: opened.plaintext,
    EncryptionAlgorithm: opened.algorithm,
    KeyMaterialId: opened.materialId,
  };
};
