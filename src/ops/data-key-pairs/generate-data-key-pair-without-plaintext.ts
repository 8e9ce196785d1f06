import type { Handler } from '../context.js';
import { generateDataKeyPair } from './data-key-pair.js';

/** The private key leaves Trent only sealed under the KMS key. */
export const generateDataKeyPairWithoutPlaintext: Handler<'GenerateDataKeyPairWithoutPlaintext'> = async (input, ctx) =>
  (await generateDataKeyPair(ctx, 'GenerateDataKeyPairWithoutPlaintext', input)).response;
