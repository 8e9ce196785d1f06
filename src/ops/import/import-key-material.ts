import { importTokenId, unwrapKeyMaterial } from '../../keys/import.js';
import { wrapIdentity } from '../../keys/root-key.js';
import { KmsError } from '../../model/errors.js';
import type { ImportKeyMaterialRequest } from '../../model/types.gen.js';
import type { ImportParametersRecord, KeyRecord } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { addDays, rotatesMaterial } from '../rotation/rotation.js';
import { admitImportKey, installImportedMaterial, type ImportOptions } from './imported-material.js';

/** ValidTo's upper bound: 365 days from the request (ImportKeyMaterial's API reference). */
const MAX_VALID_DAYS = 365;

/**
 * ImportKeyMaterial: the request's own checks (expiration, import type), then the key (origin, state), the
 * import token (this key's, not expired), unwrapping, and installing the material under the rules of
 * imported-material.ts, all in one transaction: a refused import writes nothing.
 */
export const importKeyMaterial: Handler<'ImportKeyMaterial'> = async (input, ctx) => {
  const options = importOptions(input, ctx.now);
  const tokenId = importTokenId(Buffer.from(input.ImportToken));
  const { key, materialId } = await ctx.transaction(async (tx) => {
    const locked = await admitImportKey(ctx, 'ImportKeyMaterial', input.KeyId, tx);
    checkSymmetricOnly(locked, input);
    const parameters = tokenId === undefined ? undefined : await tx.getImportParameters(tokenId);
    if (!parameters || !isFor(parameters, locked)) {
      throw new KmsError('InvalidImportTokenException', `The import token is not valid for ${arnOf(locked)}.`);
    }
    if (parameters.validTo <= ctx.now) {
      throw new KmsError('ExpiredImportTokenException',
        'The import token has expired. Use GetParametersForImport to get a new import token and public key.');
    }
    const wrappingKey = ctx.deps.root.unwrap(
      wrapIdentity.importParameters(parameters.accountId, parameters.keyId, parameters.tokenId), parameters.wrapped);
    const material = unwrapKeyMaterial(parameters.wrappingAlgorithm, wrappingKey, Buffer.from(input.EncryptedKeyMaterial));
    return { key: locked, materialId: await installImportedMaterial(tx, ctx.deps, locked, material, options) };
  });
  // AWS names key materials only for the keys that can have several (symmetric encryption keys).
  return { KeyId: arnOf(key), KeyMaterialId: rotatesMaterial(key) ? materialId : undefined };
};

function isFor(parameters: ImportParametersRecord, key: KeyRecord): boolean {
  return parameters.accountId === key.accountId && parameters.region === key.region && parameters.keyId === key.keyId;
}

/** The expiration and import type the request asks for, checked as AWS checks them before looking at the key. */
function importOptions(input: ImportKeyMaterialRequest, now: Date): ImportOptions {
  const expirationModel = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  const validTo = input.ValidTo;
  if (expirationModel === 'KEY_MATERIAL_EXPIRES') {
    // Recorded from AWS.
    if (validTo === undefined) throw new KmsError('ValidationException', 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    if (validTo <= now || validTo > addDays(now, MAX_VALID_DAYS)) {
      throw new KmsError('ValidationException', `ValidTo must be a future date no more than ${MAX_VALID_DAYS} days from now.`);
    }
  } else if (validTo !== undefined) {
    throw new KmsError('ValidationException', 'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
  }
  if (input.ImportType === 'NEW_KEY_MATERIAL' && input.KeyMaterialId !== undefined) {
    throw new KmsError('ValidationException', 'You cannot specify a KeyMaterialId with ImportType NEW_KEY_MATERIAL.');
  }
  return {
    importType: input.ImportType, keyMaterialId: input.KeyMaterialId, description: input.KeyMaterialDescription,
    expirationModel, validTo, now,
  };
}

/** ImportType, KeyMaterialId and KeyMaterialDescription are "only usable with symmetric encryption keys" (model). */
function checkSymmetricOnly(key: KeyRecord, input: ImportKeyMaterialRequest): void {
  if (rotatesMaterial(key)) return;
  for (const name of ['ImportType', 'KeyMaterialId', 'KeyMaterialDescription'] as const) {
    if (input[name] !== undefined) {
      throw new KmsError('ValidationException', `${name} is valid only for symmetric encryption keys; ${arnOf(key)} is a ${key.keySpec} key.`);
    }
  }
}
