import { randomBytes } from 'node:crypto';
import { KmsError } from '../../model/errors.js';
import type { Handler } from '../context.js';
import { findCustomKeyStore } from '../custom-key-stores.js';
import { refuseRecipient } from '../recipient.js';

/**
 * GenerateRandom: bytes from the operating system's CSPRNG. The model leaves NumberOfBytes optional but AWS
 * requires it (recorded text); its range (1–1,024) the model checks.
 */
export const generateRandom: Handler<'GenerateRandom'> = async (input, ctx) => {
  refuseRecipient(input.Recipient);
  if (input.NumberOfBytes === undefined) throw new KmsError('ValidationException', 'NumberOfBytes is required.');
  if (input.CustomKeyStoreId !== undefined) await findCustomKeyStore(ctx, input.CustomKeyStoreId);
  return { Plaintext: randomBytes(input.NumberOfBytes) };
};
