import type { Handler } from '../context.js';
import { generateDataKeyPair as generatePair } from './data-key-pair.js';

export const generateDataKeyPair: Handler<'GenerateDataKeyPair'> = async (input, ctx) => {
  const { privateKey, response } = await generatePair(ctx, 'GenerateDataKeyPair', input);
  return { ...response, PrivateKeyPlaintext: privateKey };
};
