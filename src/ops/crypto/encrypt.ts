import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKey } from '../resolve.js';
import { encryptWith } from './data-plane.js';
import { arnOf } from '../../util/arn.js';

/** Encrypt. Under DryRun the encryption runs too, so every check (the asymmetric size limits included) applies. */
export const encrypt: Handler<'Encrypt'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'Encrypt', input.KeyId, { aliases: true });
  const sealed = await encryptWith(ctx, 'Encrypt', key, input.Plaintext, input.EncryptionAlgorithm, input.EncryptionContext);
  stopIfDryRun(input.DryRun);
  return { CiphertextBlob: sealed.ciphertext, KeyId: arnOf(key), EncryptionAlgorithm: sealed.algorithm };
};
