import type { Handler } from '../context.js';
import { generateDataKey } from './data-key.js';

export const generateDataKeyWithoutPlaintext: Handler<'GenerateDataKeyWithoutPlaintext'> = async (input, ctx) => {
  const dataKey = await generateDataKey(ctx, 'GenerateDataKeyWithoutPlaintext', input);
  return { CiphertextBlob: dataKey.ciphertext, KeyId: dataKey.keyArn, KeyMaterialId: dataKey.materialId };
};
