import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { prepareSigning } from './signing.js';

/** Sign: a DIGEST is signed exactly as given (the families never hash it again). */
export const sign: Handler<'Sign'> = async (input, ctx) => {
  const { key, family, material, type } = await prepareSigning(ctx, 'Sign', input);
  const signature = family.sign(key.keySpec, material, input.SigningAlgorithm, input.Message, type);
  return {
    KeyId: arnOf(key),
    Signature: signature,
    SigningAlgorithm: input.SigningAlgorithm,
  };
};
