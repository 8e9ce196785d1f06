import { familyOf } from '../../keys/crypto.js';
import { isAsymmetric, KEY_SPECS } from '../../keys/specs.js';
import { KmsError } from '../../model/errors.js';
import type { GetPublicKeyResponse } from '../../model/types.gen.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { currentMaterial } from '../material.js';
import { resolveKey } from '../resolve.js';

/**
 * GetPublicKey: the DER SubjectPublicKeyInfo of an asymmetric key of any usage, with the algorithms of that
 * usage only (as AWS lists them). Symmetric and HMAC keys have no public key.
 */
export const getPublicKey: Handler<'GetPublicKey'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'GetPublicKey', input.KeyId, { aliases: true });
  const arn = arnOf(key);
  const family = familyOf(key.keySpec);
  if (!isAsymmetric(key.keySpec) || !family.publicKey) {
    throw new KmsError('UnsupportedOperationException', `${arn} key spec ${key.keySpec} is not supported for this operation.`);
  }
  const { secret } = await currentMaterial(ctx.deps, key);
  const algorithms = KEY_SPECS[key.keySpec].usages[key.keyUsage] ?? {};
  const response: GetPublicKeyResponse = {
    KeyId: arn,
    PublicKey: family.publicKey(key.keySpec, secret),
    // The deprecated field mirrors KeySpec, as in KeyMetadata (AWS fills it for specs newer than its enum too).
    CustomerMasterKeySpec: key.keySpec as GetPublicKeyResponse['CustomerMasterKeySpec'],
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    EncryptionAlgorithms: algorithms.EncryptionAlgorithms?.slice(),
    SigningAlgorithms: algorithms.SigningAlgorithms?.slice(),
    KeyAgreementAlgorithms: algorithms.KeyAgreementAlgorithms?.slice(),
  };
  return response;
};
