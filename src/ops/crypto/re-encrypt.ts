import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKey } from '../resolve.js';
import { checkDecryptKey, checkEncryptable, decryptWith, encryptWith, requireCiphertext } from './data-plane.js';
import { arnOf } from '../../util/arn.js';

/**
 * ReEncrypt: decrypt with the source key (named by the blob, or by SourceKeyId, which asymmetric ciphertexts
 * need), then encrypt with the destination key, any combination of symmetric and asymmetric. The plaintext
 * never leaves the server. Both keys are checked for ReEncrypt's key states; the destination first, so a
 * request whose destination cannot work fails before any decryption.
 */
export const reEncrypt: Handler<'ReEncrypt'> = async (input, ctx) => {
  const destination = await resolveKey(ctx, 'ReEncrypt', input.DestinationKeyId, { aliases: true });
  if (input.DryRun && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    await checkDecryptKey(ctx, 'ReEncrypt', input.SourceKeyId, 'SourceKeyId');
    checkEncryptable(destination, 'ReEncrypt', input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
      input.DestinationEncryptionContext);
    stopIfDryRun(input.DryRun);
  }
  const source = await decryptWith(ctx, 'ReEncrypt', requireCiphertext(input.CiphertextBlob), {
    keyId: input.SourceKeyId, algorithm: input.SourceEncryptionAlgorithm, context: input.SourceEncryptionContext,
  });
  const sealed = await encryptWith(ctx, 'ReEncrypt', destination, source.plaintext, input.DestinationEncryptionAlgorithm,
    input.DestinationEncryptionContext);
  stopIfDryRun(input.DryRun);
  return {
    CiphertextBlob: sealed.ciphertext,
    SourceKeyId: arnOf(source.key),
    KeyId: arnOf(destination),
    SourceEncryptionAlgorithm: source.algorithm,
    DestinationEncryptionAlgorithm: sealed.algorithm,
    SourceKeyMaterialId: source.materialId,
    DestinationKeyMaterialId: sealed.materialId,
  };
};
