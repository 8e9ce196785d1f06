import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { macOf } from './mac-call.js';

export const generateMac: Handler<'GenerateMac'> = async (input, ctx) => {
  const { key, mac } = await macOf(ctx, 'GenerateMac', input);
  return { Mac: mac, MacAlgorithm: input.MacAlgorithm, KeyId: arnOf(key) };
};
