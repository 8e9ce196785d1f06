import type { HandlerMap } from './context.js';
import { revokeGrant } from './grants/revoke-grant.js';
import { retireGrant } from './grants/retire-grant.js';
import { listRetirableGrants } from './grants/list-retirable-grants.js';
import { listGrants } from './grants/list-grants.js';
import { createGrant } from './grants/create-grant.js';
import { replicateKey } from './multi-region/replicate-key.js';
import { updatePrimaryRegion } from './multi-region/update-primary-region.js';
import { deleteImportedKeyMaterial } from './import/delete-imported-key-material.js';
import { getParametersForImport } from './import/get-parameters-for-import.js';
import { importKeyMaterial } from './import/import-key-material.js';
import { connectCustomKeyStore } from './custom-key-stores/connect-custom-key-store.js';
import { createCustomKeyStore } from './custom-key-stores/create-custom-key-store.js';
import { deleteCustomKeyStore } from './custom-key-stores/delete-custom-key-store.js';
import { describeCustomKeyStores } from './custom-key-stores/describe-custom-key-stores.js';
import { disconnectCustomKeyStore } from './custom-key-stores/disconnect-custom-key-store.js';
import { updateCustomKeyStore } from './custom-key-stores/update-custom-key-store.js';
import { decrypt } from './crypto/decrypt.js';
import { disableKeyRotation } from './rotation/disable-key-rotation.js';
import { enableKeyRotation } from './rotation/enable-key-rotation.js';
import { encrypt } from './crypto/encrypt.js';
import { generateDataKey } from './crypto/generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from './crypto/generate-data-key-without-plaintext.js';
import { generateRandom } from './crypto/generate-random.js';
import { getKeyLastUsage } from './usage/get-key-last-usage.js';
import { getKeyRotationStatus } from './rotation/get-key-rotation-status.js';
import { listKeyRotations } from './rotation/list-key-rotations.js';
import { reEncrypt } from './crypto/re-encrypt.js';
import { rotateKeyOnDemand } from './rotation/rotate-key-on-demand.js';
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

export const HANDLERS: HandlerMap = {
  CancelKeyDeletion: cancelKeyDeletion,
  ConnectCustomKeyStore: connectCustomKeyStore,
  CreateAlias: createAlias,
  CreateCustomKeyStore: createCustomKeyStore,
  CreateGrant: createGrant,
  CreateKey: createKey,
  Decrypt: decrypt,
  DeleteAlias: deleteAlias,
  DeleteCustomKeyStore: deleteCustomKeyStore,
  DeleteImportedKeyMaterial: deleteImportedKeyMaterial,
  DeriveSharedSecret: deriveSharedSecret,
  DescribeCustomKeyStores: describeCustomKeyStores,
  DescribeKey: describeKey,
  DisableKey: disableKey,
  DisableKeyRotation: disableKeyRotation,
  DisconnectCustomKeyStore: disconnectCustomKeyStore,
  EnableKey: enableKey,
  EnableKeyRotation: enableKeyRotation,
  Encrypt: encrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyPair: generateDataKeyPair,
  GenerateDataKeyPairWithoutPlaintext: generateDataKeyPairWithoutPlaintext,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  GenerateMac: generateMac,
  GenerateRandom: generateRandom,
  GetKeyLastUsage: getKeyLastUsage,
  GetKeyPolicy: getKeyPolicy,
  GetKeyRotationStatus: getKeyRotationStatus,
  GetParametersForImport: getParametersForImport,
  GetPublicKey: getPublicKey,
  ImportKeyMaterial: importKeyMaterial,
  ListAliases: listAliases,
  ListGrants: listGrants,
  ListKeyPolicies: listKeyPolicies,
  ListKeyRotations: listKeyRotations,
  ListKeys: listKeys,
  ListResourceTags: listResourceTags,
  ListRetirableGrants: listRetirableGrants,
  PutKeyPolicy: putKeyPolicy,
  ReEncrypt: reEncrypt,
  ReplicateKey: replicateKey,
  RetireGrant: retireGrant,
  RevokeGrant: revokeGrant,
  RotateKeyOnDemand: rotateKeyOnDemand,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  Sign: sign,
  TagResource: tagResource,
  UntagResource: untagResource,
  UpdateAlias: updateAlias,
  UpdateCustomKeyStore: updateCustomKeyStore,
  UpdateKeyDescription: updateKeyDescription,
  UpdatePrimaryRegion: updatePrimaryRegion,
  Verify: verify,
  VerifyMac: verifyMac,
};
