import { wrapIdentity } from '../keys/root-key.js';
import type { RotationType } from '../model/types.gen.js';
import type { KeyRecord, MaterialRecord, StoreOps } from '../store/types.js';
import { newMaterialId } from '../util/ids.js';
import type { Deps } from './context.js';

/** Wraps a new secret under the root key and records it as a material version of `key`. Returns its ID. */
export async function addMaterial(tx: StoreOps, deps: Deps, key: KeyRecord, secret: Buffer, createdAt: Date,
  rotationType?: RotationType): Promise<string> {
  const materialId = newMaterialId();
  const record: MaterialRecord = {
    keyId: key.keyId,
    accountId: key.accountId,
    materialId,
    createdAt,
    rotationType,
    wrapped: deps.root.wrap(wrapIdentity.material(key.accountId, key.keyId, materialId), secret),
  };
  await tx.insertMaterial(key, record);
  return materialId;
}

/** The unwrapped secret of one material version of `key`, or undefined if the key has no such version. */
export async function loadMaterial(deps: Deps, key: KeyRecord, materialId: string): Promise<Buffer | undefined> {
  const record = await deps.store.getMaterial(key, materialId);
  if (!record) return undefined;
  return deps.root.unwrap(wrapIdentity.material(key.accountId, key.keyId, materialId), record.wrapped);
}
