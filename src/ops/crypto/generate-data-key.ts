import type { Handler } from '../context.js';
import { refuseRecipient } from '../recipient.js';
import { generateDataKey as makeDataKey } from './data-key.js';

export const generateDataKey: Handler<'GenerateDataKey'> = async (input, ctx) => {
  refuseRecipient(input.Recipient);
  const dataKey = await makeDataKey(ctx, 'GenerateDataKey', input);
  return {
    CiphertextBlob: dataKey.ciphertext, Plaintext: dataKey.plaintext, KeyId: dataKey.keyArn, KeyMaterialId: dataKey.materialId,
  };
};
