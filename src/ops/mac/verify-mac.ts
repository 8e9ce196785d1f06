import { timingSafeEqual } from 'node:crypto';

import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { macOf } from './mac-call.js';

/** VerifyMac: compares in constant time; a MAC that does not match is KMSInvalidMacException, empty message (recorded). */
export const verifyMac: Handler<'VerifyMac'> = async (input, ctx) => {
  const { key, mac } = await macOf(ctx, 'VerifyMac', input);
  // The length of a right MAC is public (it is the algorithm's), so only equal-length inputs need the constant-time compare.
  if (input.Mac.length !== mac.length || !timingSafeEqual(input.Mac, mac)) throw new KmsError('KMSInvalidMacException', '');
  return { KeyId: arnOf(key), MacValid: true, MacAlgorithm: input.MacAlgorithm };
};
