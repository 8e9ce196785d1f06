import { familyOf } from '../../keys/crypto.js';
import { importedMaterialId } from '../../keys/import.js';
import { KmsError } from '../../model/errors.js';
import type { ExpirationModelType, ImportType, OperationName, RotationType } from '../../model/types.gen.js';
import type { ImportedMaterial, KeyRecord, StoreOps } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';
import type { Deps, OpContext } from '../context.js';
import { checkKeyState } from '../key-state.js';
import { addMaterial, forgetMaterial } from '../material.js';
import { resolveKey, resolveKeyLocked } from '../resolve.js';
import { rotatesMaterial } from '../rotation/rotation.js';

/*
 * The rules of imported key material, shared by the import operations, RotateKeyOnDemand, ListKeyRotations and
 * the scheduler (expiry). An EXTERNAL key lists its materials in its record (KeyRecord.importedMaterials): each
 * is CURRENT, NON_CURRENT or PENDING_ROTATION, and imported or not (deleted, expired). Its bytes are a material
 * version in the store, wrapped under the root key, exactly while it is imported. Material IDs are computed from
 * the material (keys/import.ts), so the same material imported again is the same version, and every ciphertext
 * made under it decrypts again.
 */

/**
 * The key an import operation names (locked in `tx` when given), admitted as AWS admits it: a key that cannot
 * have imported material is refused for that first, in any state, naming its origin (key-state table, footnote
 * [9]; recorded), then the key-state table.
 */
export async function admitImportKey(ctx: OpContext, op: OperationName, keyIdParam: string, tx?: StoreOps): Promise<KeyRecord> {
  const use = { op, anyState: true };
  const key = tx
    ? await resolveKeyLocked(ctx, tx, use, keyIdParam, { aliases: false })
    : await resolveKey(ctx, use, keyIdParam, { aliases: false });
  if (key.origin !== 'EXTERNAL') {
    throw new KmsError('UnsupportedOperationException', `${arnOf(key)} origin is ${key.origin} which is not valid for this operation.`);
  }
  checkKeyState(op, key.keyState, () => arnOf(key), key.origin);
  return key;
}

/** How one import goes: ImportKeyMaterial's parameters after validation, or a seed's equivalent. */
export interface ImportOptions {
  /** Default: NEW_KEY_MATERIAL for a key that never had material, else EXISTING_KEY_MATERIAL (as AWS). */
  readonly importType?: ImportType | undefined;
  /** For EXISTING_KEY_MATERIAL: the ID the material must have. For an AWS_KMS key: the ID the version takes. */
  readonly keyMaterialId?: string | undefined;
  /** Kept from the last import of the same material when absent. */
  readonly description?: string | undefined;
  readonly expirationModel: ExpirationModelType;
  /** Required with KEY_MATERIAL_EXPIRES, absent otherwise (checked by the caller). */
  readonly validTo?: Date | undefined;
  readonly now: Date;
  /** An AWS_KMS key's versions after its first: how ListKeyRotations says each came (default AUTOMATIC). */
  readonly rotationType?: RotationType | undefined;
}

function incorrect(message: string): KmsError {
  return new KmsError('IncorrectKeyMaterialException', message);
}

/**
 * Installs plaintext key material into `key` (locked in `tx` by the caller and admitted): the one way material
 * enters a key from outside, used by ImportKeyMaterial after unwrapping and by Trent's dev tooling that takes
 * given material (seed files, LocalStack's `_custom_key_material_` tag), so all obey the same rules. The material
 * is in the form AWS imports it (a symmetric or HMAC key's raw bytes, an asymmetric key's PKCS #8 DER) and is
 * checked against the key spec by the key family's importMaterial, whatever the key's origin.
 *
 * An EXTERNAL key: NEW_KEY_MATERIAL makes the key's first material CURRENT; a symmetric key's later ones wait,
 * PENDING_ROTATION, for RotateKeyOnDemand (one at a time). EXISTING_KEY_MATERIAL: the material must be one the
 * key already has; reimporting restores it and sets its expiration anew. The key becomes Enabled once it holds
 * every material permanently associated with it.
 *
 * An AWS_KMS key (dev tooling only: AWS has no way to give such a key material): the material becomes a new
 * version of the key and its current one, as a rotation would make it (`rotationType`, AUTOMATIC by default,
 * for every version after the first); only symmetric encryption keys take more than one, and material never
 * expires. Its ID is computed from the material, as for imported material, unless `keyMaterialId` gives the one
 * it had (a seed file written by `trent export`: the ciphertexts made under it name it).
 *
 * Writes the material and the key record; returns the material ID. Throws AWS's error, having written nothing,
 * for material that does not fit.
 */
export async function installImportedMaterial(tx: StoreOps, deps: Pick<Deps, 'root'>, key: KeyRecord, imported: Buffer,
  options: ImportOptions): Promise<string> {
  const material = familyOf(key.keySpec).importMaterial(key.keySpec, imported);
  const materialId = importedMaterialId(key.accountId, key.keyId, material);
  if (key.origin === 'AWS_KMS') return installGivenVersion(tx, deps, key, material, materialId, options);
  if (key.origin !== 'EXTERNAL') throw new Error(`key ${key.keyId} cannot take key material from outside`);
  const materials = [...(key.importedMaterials ?? [])];
  const importType = options.importType ?? (materials.length ? 'EXISTING_KEY_MATERIAL' : 'NEW_KEY_MATERIAL');
  let entry = materials.find((m) => m.materialId === materialId);
  if (importType === 'EXISTING_KEY_MATERIAL') {
    if (!entry) {
      throw incorrect(materials.length
        ? `The key material is not the key material previously imported into ${arnOf(key)}.`
        : `No key material was imported into ${arnOf(key)} before: import it as NEW_KEY_MATERIAL.`);
    }
    if (options.keyMaterialId !== undefined && options.keyMaterialId !== materialId) {
      throw incorrect(`The key material is not the key material with ID ${options.keyMaterialId}.`);
    }
  } else {
    if (entry) throw incorrect(`The key material is already associated with ${arnOf(key)}: import it as EXISTING_KEY_MATERIAL.`);
    if (materials.length && !rotatesMaterial(key)) {
      throw incorrect(`The key material of ${arnOf(key)} cannot be changed after its first import.`);
    }
    const pending = materials.find((m) => m.state === 'PENDING_ROTATION');
    if (pending) {
      throw new KmsError('KMSInvalidStateException', `New key material (id: ${materialId}) cannot be imported into KMS key ${key.keyId}, because another key material (id: ${pending.materialId}) is pending rotation.`);
    }
    entry = { materialId, state: materials.length ? 'PENDING_ROTATION' : 'CURRENT', imported: false };
    materials.push(entry);
    if (entry.state === 'CURRENT') key.currentMaterialId = materialId;
  }
  // A multi-Region key's Regions share material versions: another Region may hold this one already.
  if (!(await tx.getMaterial(key, materialId))) await addMaterial(tx, deps.root, key, material, options.now, undefined, materialId);
  entry.imported = true;
  entry.expirationModel = options.expirationModel;
  entry.validTo = options.validTo;
  if (options.description !== undefined) entry.description = options.description;
  key.importedMaterials = materials;
  summarizeExpiration(key);
  if (key.keyState === 'PendingImport' && !awaitsImport(key)) key.keyState = 'Enabled';
  await tx.updateKey(key);
  return materialId;
}

/** installImportedMaterial for an AWS_KMS key: a new version, made current. */
async function installGivenVersion(tx: StoreOps, deps: Pick<Deps, 'root'>, key: KeyRecord, material: Buffer,
  materialId: string, options: ImportOptions): Promise<string> {
  if (options.expirationModel !== 'KEY_MATERIAL_DOES_NOT_EXPIRE') throw new Error('material of an AWS_KMS key never expires');
  const id = options.keyMaterialId ?? materialId;
  if (await tx.getMaterial(key, id)) throw incorrect(`The key material is already associated with ${arnOf(key)}.`);
  const first = key.currentMaterialId === undefined;
  if (!first && !rotatesMaterial(key)) throw incorrect(`The key material of ${arnOf(key)} cannot be changed after it is made.`);
  key.currentMaterialId = await addMaterial(tx, deps.root, key, material, options.now,
    first ? undefined : options.rotationType ?? 'AUTOMATIC', id);
  await tx.updateKey(key);
  return id;
}

/**
 * Deletes one imported material of `key` (locked in `tx`; the caller writes the key): DeleteImportedKeyMaterial,
 * or expiry. Material pending rotation is not yet the key's and is simply forgotten; any other leaves the key
 * PendingImport until it is imported again (a key pending deletion stays so, as AWS documents).
 */
export async function removeImportedMaterial(tx: StoreOps, key: KeyRecord, entry: ImportedMaterial): Promise<void> {
  await tx.deleteMaterial(key, entry.materialId);
  forgetMaterial(key, entry.materialId);
  if (entry.state === 'PENDING_ROTATION') {
    key.importedMaterials = (key.importedMaterials ?? []).filter((m) => m !== entry);
  } else {
    entry.imported = false;
    entry.expirationModel = undefined;
    entry.validTo = undefined;
    if (key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion') key.keyState = 'PendingImport';
  }
  summarizeExpiration(key);
}

/** RotateKeyOnDemand for imported material: the material pending rotation becomes current. */
export async function rotateToPendingMaterial(tx: StoreOps, key: KeyRecord, now: Date): Promise<void> {
  const materials = key.importedMaterials ?? [];
  const pending = materials.find((m) => m.state === 'PENDING_ROTATION' && m.imported);
  if (!pending) throw new KmsError('KMSInvalidStateException', `No available key material pending rotation for the key: ${arnOf(key)}.`);
  for (const m of materials) if (m.state === 'CURRENT') m.state = 'NON_CURRENT';
  pending.state = 'CURRENT';
  pending.rotationDate = now;
  key.currentMaterialId = pending.materialId;
  summarizeExpiration(key);
  await tx.updateKey(key);
}

/** How many times a key's imported material was rotated to on demand (AWS's 25 per key counts these too). */
export function importedRotations(key: KeyRecord): number {
  return (key.importedMaterials ?? []).filter((m) => m.rotationDate !== undefined).length;
}

/** Whether an EXTERNAL key lacks material it needs to be used: it never had any, or one is deleted or expired. */
export function awaitsImport(key: KeyRecord): boolean {
  const materials = key.importedMaterials ?? [];
  return materials.length === 0 || materials.some((m) => m.state !== 'PENDING_ROTATION' && !m.imported);
}

/** The imported materials whose expiry has come by `now`. */
export function expiredMaterials(key: KeyRecord, now: Date): ImportedMaterial[] {
  return (key.importedMaterials ?? []).filter((m) => m.imported && m.validTo !== undefined && m.validTo <= now);
}

/**
 * DescribeKey's ExpirationModel and ValidTo, kept on the key record: over the imported materials permanently
 * associated with the key (not those pending rotation), ValidTo is the earliest expiry; none imported, neither.
 */
function summarizeExpiration(key: KeyRecord): void {
  const held = (key.importedMaterials ?? []).filter((m) => m.imported && m.state !== 'PENDING_ROTATION');
  const expiries = held.flatMap((m) => (m.validTo ? [m.validTo.getTime()] : []));
  key.expirationModel = held.length === 0 ? undefined
    : expiries.length ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE';
  key.validTo = expiries.length ? new Date(Math.min(...expiries)) : undefined;
}
