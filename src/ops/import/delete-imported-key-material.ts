import { KmsError } from '../../model/errors.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { rotatesMaterial } from '../rotation/rotation.js';
import { admitImportKey, removeImportedMaterial } from './imported-material.js';

/**
 * DeleteImportedKeyMaterial: deletes the named material, or the current one, and the key waits for it
 * (PendingImport) until the same material is imported again. A key without that material imported is left as
 * it is ("no effect", the key-state table says of a key pending import).
 */
export const deleteImportedKeyMaterial: Handler<'DeleteImportedKeyMaterial'> = async (input, ctx) => {
  const { key, materialId } = await ctx.transaction(async (tx) => {
    const locked = await admitImportKey(ctx, 'DeleteImportedKeyMaterial', input.KeyId, tx);
    const materials = locked.importedMaterials ?? [];
    const wanted = input.KeyMaterialId ?? locked.currentMaterialId;
    const entry = materials.find((m) => m.materialId === wanted);
    if (input.KeyMaterialId !== undefined && !entry) {
      throw new KmsError('NotFoundException', `Key material ${input.KeyMaterialId} is not associated with ${arnOf(locked)}.`);
    }
    if (entry?.imported) {
      await removeImportedMaterial(tx, locked, entry);
      await tx.updateKey(locked);
    }
    return { key: locked, materialId: entry?.materialId };
  });
  return { KeyId: arnOf(key), KeyMaterialId: rotatesMaterial(key) ? materialId : undefined };
};
