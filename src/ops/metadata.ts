import { KEY_SPECS } from '../keys/specs.js';
import type { KeyMetadata } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import { arnOf } from '../util/arn.js';
import { multiRegionConfiguration } from './multi-region/related-keys.js';

/**
 * KeyMetadata exactly as AWS returns it for a key: fields present only where AWS shows them. `related` are the
 * records of every Region of the key, itself among them (multi-region/related-keys.ts relatedKeysOf).
 */
export function keyMetadata(key: KeyRecord, related: readonly KeyRecord[]): KeyMetadata {
  const arn = arnOf(key);
  const algorithms = KEY_SPECS[key.keySpec].usages[key.keyUsage] ?? {};
  return {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: arn,
    CreationDate: key.createdAt,
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    DeletionDate: key.keyState === 'PendingDeletion' ? key.deletionDate : undefined,
    ValidTo: key.expirationModel === 'KEY_MATERIAL_EXPIRES' ? key.validTo : undefined,
    Origin: key.origin,
    CustomKeyStoreId: key.customKeyStoreId,
    ExpirationModel: key.expirationModel,
    KeyManager: 'CUSTOMER',
    // The deprecated field mirrors KeySpec, even for specs newer than its enum (AWS returns ML_DSA_65 there too).
    CustomerMasterKeySpec: key.keySpec as KeyMetadata['CustomerMasterKeySpec'],
    KeySpec: key.keySpec,
    EncryptionAlgorithms: algorithms.EncryptionAlgorithms?.slice(),
    SigningAlgorithms: algorithms.SigningAlgorithms?.slice(),
    KeyAgreementAlgorithms: algorithms.KeyAgreementAlgorithms?.slice(),
    MacAlgorithms: algorithms.MacAlgorithms?.slice(),
    MultiRegion: key.multiRegion,
    PendingDeletionWindowInDays: key.keyState === 'PendingReplicaDeletion' ? key.pendingWindowDays : undefined,
    XksKeyConfiguration: key.xksKeyId ? { Id: key.xksKeyId } : undefined,
    // AWS shows the current material only for symmetric encryption keys, the ones that rotate, and not for a
    // replica still being made (recorded: ReplicateKey's answer has none).
    CurrentKeyMaterialId: key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyState !== 'Creating' ? key.currentMaterialId : undefined,
    MultiRegionConfiguration: key.multiRegion ? multiRegionConfiguration(key, related) : undefined,
  };
}
