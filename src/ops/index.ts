import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { Handler, HandlerMap } from './context.js';
import { createKey } from './keys/create-key.js';
import { describeKey } from './keys/describe-key.js';
import { listKeys } from './keys/list-keys.js';

/**
 * Operations that a later stage implements answer this, so every one of the model's 54 operations is
 * routed and a client gets an AWS-shaped answer that says plainly what is missing.
 */
function notYetImplemented<Op extends OperationName>(op: Op): Handler<Op> {
  return async () => {
    throw new KmsError('UnsupportedOperationException', `Trent does not implement ${op} yet.`);
  };
}

export const HANDLERS: HandlerMap = {
  CancelKeyDeletion: notYetImplemented('CancelKeyDeletion'),
  ConnectCustomKeyStore: notYetImplemented('ConnectCustomKeyStore'),
  CreateAlias: notYetImplemented('CreateAlias'),
  CreateCustomKeyStore: notYetImplemented('CreateCustomKeyStore'),
  CreateGrant: notYetImplemented('CreateGrant'),
  CreateKey: createKey,
  Decrypt: notYetImplemented('Decrypt'),
  DeleteAlias: notYetImplemented('DeleteAlias'),
  DeleteCustomKeyStore: notYetImplemented('DeleteCustomKeyStore'),
  DeleteImportedKeyMaterial: notYetImplemented('DeleteImportedKeyMaterial'),
  DeriveSharedSecret: notYetImplemented('DeriveSharedSecret'),
  DescribeCustomKeyStores: notYetImplemented('DescribeCustomKeyStores'),
  DescribeKey: describeKey,
  DisableKey: notYetImplemented('DisableKey'),
  DisableKeyRotation: notYetImplemented('DisableKeyRotation'),
  DisconnectCustomKeyStore: notYetImplemented('DisconnectCustomKeyStore'),
  EnableKey: notYetImplemented('EnableKey'),
  EnableKeyRotation: notYetImplemented('EnableKeyRotation'),
  Encrypt: notYetImplemented('Encrypt'),
  GenerateDataKey: notYetImplemented('GenerateDataKey'),
  GenerateDataKeyPair: notYetImplemented('GenerateDataKeyPair'),
  GenerateDataKeyPairWithoutPlaintext: notYetImplemented('GenerateDataKeyPairWithoutPlaintext'),
  GenerateDataKeyWithoutPlaintext: notYetImplemented('GenerateDataKeyWithoutPlaintext'),
  GenerateMac: notYetImplemented('GenerateMac'),
  GenerateRandom: notYetImplemented('GenerateRandom'),
  GetKeyLastUsage: notYetImplemented('GetKeyLastUsage'),
  GetKeyPolicy: notYetImplemented('GetKeyPolicy'),
  GetKeyRotationStatus: notYetImplemented('GetKeyRotationStatus'),
  GetParametersForImport: notYetImplemented('GetParametersForImport'),
  GetPublicKey: notYetImplemented('GetPublicKey'),
  ImportKeyMaterial: notYetImplemented('ImportKeyMaterial'),
  ListAliases: notYetImplemented('ListAliases'),
  ListGrants: notYetImplemented('ListGrants'),
  ListKeyPolicies: notYetImplemented('ListKeyPolicies'),
  ListKeyRotations: notYetImplemented('ListKeyRotations'),
  ListKeys: listKeys,
  ListResourceTags: notYetImplemented('ListResourceTags'),
  ListRetirableGrants: notYetImplemented('ListRetirableGrants'),
  PutKeyPolicy: notYetImplemented('PutKeyPolicy'),
  ReEncrypt: notYetImplemented('ReEncrypt'),
  ReplicateKey: notYetImplemented('ReplicateKey'),
  RetireGrant: notYetImplemented('RetireGrant'),
  RevokeGrant: notYetImplemented('RevokeGrant'),
  RotateKeyOnDemand: notYetImplemented('RotateKeyOnDemand'),
  ScheduleKeyDeletion: notYetImplemented('ScheduleKeyDeletion'),
  Sign: notYetImplemented('Sign'),
  TagResource: notYetImplemented('TagResource'),
  UntagResource: notYetImplemented('UntagResource'),
  UpdateAlias: notYetImplemented('UpdateAlias'),
  UpdateCustomKeyStore: notYetImplemented('UpdateCustomKeyStore'),
  UpdateKeyDescription: notYetImplemented('UpdateKeyDescription'),
  UpdatePrimaryRegion: notYetImplemented('UpdatePrimaryRegion'),
  Verify: notYetImplemented('Verify'),
  VerifyMac: notYetImplemented('VerifyMac'),
};
