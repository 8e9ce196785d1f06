import { KmsError } from '../model/errors.js';
import type { KeyState, OperationName, OriginType } from '../model/types.gen.js';

/**
 * AWS's key-state table (kms-facts.md §1.6): for each operation that acts on a key and each key state,
 * whether the operation may proceed, and if not, the error AWS answers. Every operation consults this one
 * table through `checkKeyState`; conditions that depend on more than the state (origin, custom key store)
 * are the operation's own checks.
 */
type Refusal =
  | 'disabled' | 'pendingDeletion' | 'notPendingDeletion' | 'pendingImport' | 'externalOrigin'
  | 'unavailable' | 'customKeyStore' | 'creating' | 'updating';

const REFUSALS: Readonly<Record<Refusal, (arn: string, state: KeyState, origin: OriginType | undefined) => KmsError>> = {
  disabled: (arn) => new KmsError('DisabledException', `${arn} is disabled.`),
  pendingDeletion: (arn, state) => new KmsError('KMSInvalidStateException',
    `${arn} is ${state === 'PendingReplicaDeletion' ? 'pending replica deletion' : 'pending deletion'}.`),
  notPendingDeletion: (arn) => new KmsError('KMSInvalidStateException', `${arn} is not pending deletion.`),
  pendingImport: (arn) => new KmsError('KMSInvalidStateException', `${arn} is pending import.`),
  externalOrigin: (arn) => new KmsError('UnsupportedOperationException',
    `${arn} origin is EXTERNAL which is not valid for this operation.`),
  unavailable: (arn) => new KmsError('KMSInvalidStateException', `${arn} is unavailable.`),
  // Footnotes [7] and [9]: only keys in a custom key store are Unavailable, and rotation and imported material
  // are not for them; AWS words it as for EXTERNAL keys ([6]), naming the key's origin.
  customKeyStore: (arn, _state, origin) => {
    if (!origin) throw new Error('the customKeyStore refusal needs the key origin');
    return new KmsError('UnsupportedOperationException', `${arn} origin is ${origin} which is not valid for this operation.`);
  },
  creating: (arn) => new KmsError('KMSInvalidStateException', `${arn} is creating.`),
  updating: (arn) => new KmsError('KMSInvalidStateException', `${arn} is updating.`),
};

/** A row: the refusal for each state in which the operation fails; states not named succeed. */
type Row = Readonly<Partial<Record<KeyState, Refusal>>>;

const PENDING_DELETION: Row = { PendingDeletion: 'pendingDeletion', PendingReplicaDeletion: 'pendingDeletion' };
/** Cryptographic use: only Enabled (and Updating) keys. */
const CRYPTO: Row = {
  Disabled: 'disabled', ...PENDING_DELETION, PendingImport: 'pendingImport', Unavailable: 'unavailable', Creating: 'creating',
};
const ALWAYS: Row = {};
const MANAGE: Row = { ...PENDING_DELETION };
const ENABLE_DISABLE: Row = { ...PENDING_DELETION, PendingImport: 'pendingImport', Creating: 'creating', Updating: 'updating' };
const ROTATION: Row = {
  Disabled: 'disabled', ...PENDING_DELETION, PendingImport: 'externalOrigin', Unavailable: 'customKeyStore', Creating: 'creating',
};
const IMPORT: Row = { ...PENDING_DELETION, Unavailable: 'customKeyStore', Creating: 'creating' };

/** Operations that do not act on an existing key have no row. */
export const KEY_STATE_TABLE: Readonly<Partial<Record<OperationName, Row>>> = {
  CancelKeyDeletion: {
    Enabled: 'notPendingDeletion', Disabled: 'notPendingDeletion', PendingImport: 'notPendingDeletion',
    Unavailable: 'notPendingDeletion', Creating: 'notPendingDeletion', Updating: 'notPendingDeletion',
  },
  CreateAlias: MANAGE,
  CreateGrant: { Disabled: 'disabled', ...PENDING_DELETION, PendingImport: 'pendingImport', Creating: 'creating' },
  Decrypt: CRYPTO,
  Encrypt: CRYPTO,
  ReEncrypt: CRYPTO,
  GenerateDataKey: CRYPTO,
  GenerateDataKeyWithoutPlaintext: CRYPTO,
  GenerateDataKeyPair: CRYPTO,
  GenerateDataKeyPairWithoutPlaintext: CRYPTO,
  GenerateMac: CRYPTO,
  VerifyMac: CRYPTO,
  Sign: CRYPTO,
  Verify: CRYPTO,
  GetPublicKey: CRYPTO,
  DeriveSharedSecret: CRYPTO,
  DeleteAlias: ALWAYS,
  DeleteImportedKeyMaterial: { Creating: 'creating', Updating: 'updating' },
  DescribeKey: ALWAYS,
  DisableKey: ENABLE_DISABLE,
  EnableKey: ENABLE_DISABLE,
  EnableKeyRotation: ROTATION,
  DisableKeyRotation: ROTATION,
  // A newer operation than the table's source: recorded, an EXTERNAL key without material is pending import
  // first (its origin is refused only once it has material).
  RotateKeyOnDemand: { ...ROTATION, PendingImport: 'pendingImport' },
  GetKeyRotationStatus: { PendingImport: 'externalOrigin', Unavailable: 'customKeyStore' },
  // Newer than the table's source, and changed since: a symmetric key of imported material lists its materials in
  // every state (ListKeyRotations is how one finds which to import again); other EXTERNAL keys are refused for
  // their origin by the operation, in every state, as footnote [6] refused them when pending import.
  ListKeyRotations: ALWAYS,
  GetKeyLastUsage: ALWAYS,
  GetParametersForImport: { ...IMPORT, Updating: 'updating' },
  ImportKeyMaterial: IMPORT,
  GetKeyPolicy: ALWAYS,
  ListAliases: ALWAYS,
  PutKeyPolicy: ALWAYS,
  ListKeyPolicies: ALWAYS,
  ListGrants: ALWAYS,
  ListResourceTags: ALWAYS,
  RetireGrant: ALWAYS,
  RevokeGrant: ALWAYS,
  ReplicateKey: { Disabled: 'disabled', ...PENDING_DELETION, PendingImport: 'pendingImport', Creating: 'creating', Updating: 'updating' },
  UpdatePrimaryRegion: { Disabled: 'disabled', ...PENDING_DELETION, PendingImport: 'pendingImport', Creating: 'creating' },
  ScheduleKeyDeletion: { ...PENDING_DELETION, Updating: 'updating' },
  TagResource: MANAGE,
  UntagResource: MANAGE,
  // Footnote [10]: the row is the new target key's; the alias's current key may be in any state.
  UpdateAlias: MANAGE,
  UpdateKeyDescription: MANAGE,
};

/**
 * Throws AWS's error when `op` may not act on a key in `state`. The origin is needed only where AWS names it
 * (operations refused to Unavailable keys, which are all in custom key stores); resolveKey always passes it.
 * `arn` may be a function, called only to word a refusal: the resolver admits far more keys than it refuses.
 */
export function checkKeyState(op: OperationName, state: KeyState, arn: string | (() => string), origin?: OriginType): void {
  const row = KEY_STATE_TABLE[op];
  if (!row) throw new Error(`${op} has no row in the key-state table`);
  const refusal = row[state];
  if (refusal) throw REFUSALS[refusal](typeof arn === 'string' ? arn : arn(), state, origin);
}
