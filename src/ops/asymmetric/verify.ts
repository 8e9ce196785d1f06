import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { prepareSigning } from './signing.js';

/** Verify: a signature that does not verify is AWS's KMSInvalidSignatureException with an empty message (recorded). */
export const verify: Handler<'Verify'> = async (input, ctx) => {
  const { key, family, material, type } = await prepareSigning(ctx, 'Verify', input);
  if (!family.verify(key.keySpec, material, input.SigningAlgorithm, input.Message, type, input.Signature)) {
    throw new KmsError('KMSInvalidSignatureException', '');
  }
  return { KeyId: arnOf(key), SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
};
