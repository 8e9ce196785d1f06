import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { Handler, HandlerMap } from './context.js';
import { deriveSharedSecret } from './asymmetric/derive-shared-secret.js';
import { getPublicKey } from './asymmetric/get-public-key.js';
import { sign } from './asymmetric/sign.js';
import { verify } from './asymmetric/verify.js';
import { generateDataKeyPair } from './data-key-pairs/generate-data-key-pair.js';
import { generateDataKeyPairWithoutPlaintext } from './data-key-pairs/generate-data-key-pair-without-plaintext.js';
import { generateMac } from './mac/generate-mac.js';
import { verifyMac } from './mac/verify-mac.js';
import { createKey } from './keys/create-key.js';
import { describeKey } from './keys/describe-key.js';
import { listKeys } from './keys/list-keys.js';
import { cancelKeyDeletion } from './keys/cancel-key-deletion.js';
import { createAlias } from './aliases/create-alias.js';
import { deleteAlias } from './aliases/delete-alias.js';
import { disableKey } from './keys/disable-key.js';
import { enableKey } from './keys/enable-key.js';
import { getKeyPolicy } from './policies/get-key-policy.js';
import { listAliases } from './aliases/list-aliases.js';
import { listKeyPolicies } from './policies/list-key-policies.js';
import { listResourceTags } from './tags/list-resource-tags.js';
import { putKeyPolicy } from './policies/put-key-policy.js';
import { scheduleKeyDeletion } from './keys/schedule-key-deletion.js';
import { tagResource } from './tags/tag-resource.js';
import { untagResource } from './tags/untag-resource.js';
import { updateAlias } from './aliases/update-alias.js';
import { updateKeyDescription } from './keys/update-key-description.js';

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
  CancelKeyDeletion: cancelKeyDeletion,
  ConnectCustomKeyStore: notYetImplemented('ConnectCustomKeyStore'),
  CreateAlias: createAlias,
  CreateCustomKeyStore: notYetImplemented('CreateCustomKeyStore'),
  CreateGrant: notYetImplemented('CreateGrant'),
  CreateKey: createKey,
  Decrypt: notYetImplemented('Decrypt'),
  DeleteAlias: deleteAlias,
  DeleteCustomKeyStore: notYetImplemented('DeleteCustomKeyStore'),
  DeleteImportedKeyMaterial: notYetImplemented('DeleteImportedKeyMaterial'),
  DeriveSharedSecret: deriveSharedSecret,
  DescribeCustomKeyStores: notYetImplemented('DescribeCustomKeyStores'),
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: notYetImplemented('DisableKeyRotation'),
  DisconnectCustomKeyStore: notYetImplemented('DisconnectCustomKeyStore'),
  EnableKey: enableKey,
  EnableKeyRotation: notYetImplemented('EnableKeyRotation'),
  Encrypt: notYetImplemented('Encrypt'),
  GenerateDataKey: notYetImplemented('GenerateDataKey'),
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  GenerateDataKeyWithoutPlaintext: notYetImplemented('GenerateDataKeyWithoutPlaintext'),
  GenerateMac: generateMac,
  GenerateRandom: notYetImplemented('GenerateRandom'),
  GetKeyLastUsage: notYetImplemented('GetKeyLastUsage'),
  GetKeyPolicy: getKeyPolicy,
  GetKeyRotationStatus: notYetImplemented('GetKeyRotationStatus'),
  GetParametersForImport: notYetImplemented('GetParametersForImport'),
  GetPublicKey: getPublicKey,
  ImportKeyMaterial: notYetImplemented('ImportKeyMaterial'),
  ListAliases: listAliases,
  ListGrants: notYetImplemented('ListGrants'),
  ListKeyPolicies: listKeyPolicies,
  ListKeyRotations: notYetImplemented('ListKeyRotations'),
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ListRetirableGrants: notYetImplemented('ListRetirableGrants'),
  PutKeyPolicy: putKeyPolicy,
  ReEncrypt: notYetImplemented('ReEncrypt'),
  ReplicateKey: notYetImplemented('ReplicateKey'),
  RetireGrant: notYetImplemented('RetireGrant'),
  RevokeGrant: notYetImplemented('RevokeGrant'),
  RotateKeyOnDemand: notYetImplemented('RotateKeyOnDemand'),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateCustomKeyStore: notYetImplemented('UpdateCustomKeyStore'),
  UpdateKeyDescription: updateKeyDescription,
  UpdatePrimaryRegion: notYetImplemented('UpdatePrimaryRegion'),
  Verify: verify,
  VerifyMac: verifyMac,
};
