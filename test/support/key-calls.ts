import {
  CancelKeyDeletionCommand, CreateAliasCommand, DeleteImportedKeyMaterialCommand, GetParametersForImportCommand, ImportKeyMaterialCommand, CreateGrantCommand, ListGrantsCommand, RevokeGrantCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, DisableKeyRotationCommand,
  EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyPairCommand,
  GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand, GetKeyLastUsageCommand,
  GetKeyPolicyCommand, GetKeyRotationStatusCommand, GetPublicKeyCommand, ListAliasesCommand, ListKeyPoliciesCommand,
  ListKeyRotationsCommand, ListResourceTagsCommand, PutKeyPolicyCommand, ReEncryptCommand, ReplicateKeyCommand, RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand, SignCommand, TagResourceCommand, UntagResourceCommand, UpdateKeyDescriptionCommand, UpdatePrimaryRegionCommand, VerifyCommand,
  VerifyMacCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import type { OperationName } from '../../src/model/types.gen.js';

/** A blob that is no ciphertext, MAC or signature of any key. */
export const BLOB = new Uint8Array(Buffer.from('AQICAHhF', 'base64'));

/** Every operation that takes a key, as a command on the key with ARN `arn` and, for Decrypt, a blob it made. */
export type Call = (kms: KMSClient, arn: string, blob: Uint8Array) => Promise<unknown>;
export const CALLS: Readonly<Partial<Record<OperationName, Call>>> = {
  DescribeKey: (k, a) => k.send(new DescribeKeyCommand({ KeyId: a })),
  EnableKey: (k, a) => k.send(new EnableKeyCommand({ KeyId: a })),
  DisableKey: (k, a) => k.send(new DisableKeyCommand({ KeyId: a })),
  UpdateKeyDescription: (k, a) => k.send(new UpdateKeyDescriptionCommand({ KeyId: a, Description: 'x' })),
  CancelKeyDeletion: (k, a) => k.send(new CancelKeyDeletionCommand({ KeyId: a })),
  ScheduleKeyDeletion: (k, a) => k.send(new ScheduleKeyDeletionCommand({ KeyId: a })),
  CreateAlias: (k, a) => k.send(new CreateAliasCommand({ AliasName: `alias/m-${Math.random().toString(36).slice(2)}`, TargetKeyId: a })),
  ListAliases: (k, a) => k.send(new ListAliasesCommand({ KeyId: a })),
  TagResource: (k, a) => k.send(new TagResourceCommand({ KeyId: a, Tags: [{ TagKey: 't', TagValue: 'v' }] })),
  UntagResource: (k, a) => k.send(new UntagResourceCommand({ KeyId: a, TagKeys: ['t'] })),
  ListResourceTags: (k, a) => k.send(new ListResourceTagsCommand({ KeyId: a })),
  GetKeyPolicy: (k, a) => k.send(new GetKeyPolicyCommand({ KeyId: a, PolicyName: 'default' })),
  ListKeyPolicies: (k, a) => k.send(new ListKeyPoliciesCommand({ KeyId: a })),
  PutKeyPolicy: async (k, a) => {
    const { Policy } = await k.send(new GetKeyPolicyCommand({ KeyId: a }));
    return k.send(new PutKeyPolicyCommand({ KeyId: a, Policy: Policy! }));
  },
  Encrypt: (k, a) => k.send(new EncryptCommand({ KeyId: a, Plaintext: Buffer.from('p') })),
  Decrypt: (k, a, blob) => k.send(new DecryptCommand({ KeyId: a, CiphertextBlob: blob })),
  GenerateDataKey: (k, a) => k.send(new GenerateDataKeyCommand({ KeyId: a, NumberOfBytes: 16 })),
  GenerateDataKeyWithoutPlaintext: (k, a) => k.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: a, NumberOfBytes: 16 })),
  GenerateDataKeyPair: (k, a) => k.send(new GenerateDataKeyPairCommand({ KeyId: a, KeyPairSpec: 'ECC_NIST_P256' })),
  GenerateDataKeyPairWithoutPlaintext: (k, a) =>
    k.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: a, KeyPairSpec: 'ECC_NIST_P256' })),
  GenerateMac: (k, a) => k.send(new GenerateMacCommand({ KeyId: a, Message: Buffer.from('m'), MacAlgorithm: 'HMAC_SHA_256' })),
  VerifyMac: (k, a) => k.send(new VerifyMacCommand({ KeyId: a, Message: Buffer.from('m'), Mac: BLOB, MacAlgorithm: 'HMAC_SHA_256' })),
  Sign: (k, a) => k.send(new SignCommand({ KeyId: a, Message: Buffer.from('m'), SigningAlgorithm: 'ECDSA_SHA_256' })),
  Verify: (k, a) => k.send(new VerifyCommand({ KeyId: a, Message: Buffer.from('m'), Signature: BLOB, SigningAlgorithm: 'ECDSA_SHA_256' })),
  GetPublicKey: (k, a) => k.send(new GetPublicKeyCommand({ KeyId: a })),
  ReEncrypt: (k, a, blob) => k.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: a, DestinationKeyId: a })),
  EnableKeyRotation: (k, a) => k.send(new EnableKeyRotationCommand({ KeyId: a })),
  DisableKeyRotation: (k, a) => k.send(new DisableKeyRotationCommand({ KeyId: a })),
  GetKeyRotationStatus: (k, a) => k.send(new GetKeyRotationStatusCommand({ KeyId: a })),
  RotateKeyOnDemand: (k, a) => k.send(new RotateKeyOnDemandCommand({ KeyId: a })),
  ListKeyRotations: (k, a) => k.send(new ListKeyRotationsCommand({ KeyId: a })),
  GetKeyLastUsage: (k, a) => k.send(new GetKeyLastUsageCommand({ KeyId: a })),
  CreateGrant: (k, a) => k.send(new CreateGrantCommand({ KeyId: a, GranteePrincipal: 'arn:aws:iam::111122223333:user/g', Operations: ['DescribeKey'] })),
  ListGrants: (k, a) => k.send(new ListGrantsCommand({ KeyId: a })),
  RevokeGrant: (k, a) => k.send(new RevokeGrantCommand({ KeyId: a, GrantId: '0'.repeat(64) })),
  ReplicateKey: (k, a) => k.send(new ReplicateKeyCommand({ KeyId: a, ReplicaRegion: 'eu-central-1' })),
  UpdatePrimaryRegion: (k, a) => k.send(new UpdatePrimaryRegionCommand({ KeyId: a, PrimaryRegion: 'eu-central-1' })),
  GetParametersForImport: (k, a) =>
    k.send(new GetParametersForImportCommand({ KeyId: a, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
  // A token of no parameters: the key's state is judged first, the token after it.
  ImportKeyMaterial: (k, a, blob) => k.send(new ImportKeyMaterialCommand({
    KeyId: a, ImportToken: blob, EncryptedKeyMaterial: blob, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
  })),
  DeleteImportedKeyMaterial: (k, a) => k.send(new DeleteImportedKeyMaterialCommand({ KeyId: a })),
};

/** The operations that take only keys of imported material (EXTERNAL origin): the table is theirs on such keys. */
export const IMPORT_OPERATIONS: ReadonlySet<OperationName> = new Set<OperationName>(['GetParametersForImport', 'ImportKeyMaterial', 'DeleteImportedKeyMaterial']);
