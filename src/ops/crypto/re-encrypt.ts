import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKey, type KeyUse } from '../resolve.js';
import { checkDecryptKey, checkEncryptable, decryptWith, encryptWith, requireCiphertext } from './data-plane.js';
import { arnOf } from '../../util/arn.js';

/** AWS authorizes ReEncrypt as two actions: one on the source key, one on the destination. */
const REENCRYPT_FROM: KeyUse = { op: 'ReEncrypt', action: 'kms:ReEncryptFrom' };
const REENCRYPT_TO: KeyUse = { op: 'ReEncrypt', action: 'kms:ReEncryptTo' };

/**
 * ReEncrypt: decrypt with the source key (named by the blob, or by SourceKeyId, which asymmetric ciphertexts
 * need), then encrypt with the destination key, any combination of symmetric and asymmetric. The plaintext
 * never leaves the server. Both keys are checked for ReEncrypt's key states; the destination first, so a
 * request whose destination cannot work fails before any decryption.
 */
export const reEncrypt: Handler<'ReEncrypt'> = async (input, ctx) => {
  const destination = await resolveKey(ctx, REENCRYPT_TO, input.DestinationKeyId, { aliases: true });
  if (input.DryRun && input.DryRunModifiers?.includes('IGNORE_CIPHERTEXT')) {
    await checkDecryptKey(ctx, REENCRYPT_FROM, input.SourceKeyId, 'SourceKeyId');
    checkEncryptable(destination, 'ReEncrypt', input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT',
      input.DestinationEncryptionContext);
    stopIfDryRun(input.DryRun);
  }
  const source = await decryptWith(ctx, REENCRYPT_FROM, requireCiphertext(input.CiphertextBlob), {
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
