import {
  IMPORT_PARAMETERS_LIFETIME_MS, WRAPPING_KEY_SPECS, checkWrappingPair, newImportToken, wrappingPublicKey,
} from '../../keys/import.js';
import { wrapIdentity } from '../../keys/root-key.js';
import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { offersKeySpec } from '../partition.js';
import { admitImportKey } from './imported-material.js';

/** How long an expired token is kept, so that using it is answered ExpiredImportTokenException, not "invalid". */
const EXPIRED_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * GetParametersForImport: a new wrapping key pair (from the material pool for RSA, as CreateKey's) and the
 * import token that stands for it, valid 24 hours on Trent's clock, for this key and wrapping algorithm only.
 * The private half is stored wrapped under the root key; the token only names it.
 */
export const getParametersForImport: Handler<'GetParametersForImport'> = async (input, ctx) => {
  const { WrappingAlgorithm: algorithm, WrappingKeySpec: wrappingSpec } = input;
  checkWrappingPair(algorithm, wrappingSpec);
  const spec = WRAPPING_KEY_SPECS[wrappingSpec];
  if (!offersKeySpec(ctx, spec)) throw new KmsError('ValidationException', `WrappingKeySpec ${wrappingSpec} is not supported in this region.`);
  const { deps, now } = ctx;
  // Admitted (or refused) before a wrapping key pair is made for it.
  const key = await admitImportKey(ctx, 'GetParametersForImport', input.KeyId);
  const wrappingKey = await deps.pool.secretFor(spec);
  const { token, tokenId } = newImportToken();
  const validTo = new Date(now.getTime() + IMPORT_PARAMETERS_LIFETIME_MS);
  await ctx.transaction(async (tx) => {
    await tx.insertImportParameters({
      accountId: key.accountId, region: key.region, keyId: key.keyId, tokenId, wrappingAlgorithm: algorithm,
      wrappingKeySpec: wrappingSpec, validTo, wrapped: deps.root.wrap(wrapIdentity.importParameters(key.accountId, key.keyId, tokenId), wrappingKey),
    }, new Date(now.getTime() - EXPIRED_KEPT_MS));
  });
  return { KeyId: arnOf(key), ImportToken: token, PublicKey: wrappingPublicKey(wrappingKey), ParametersValidTo: validTo };
};
