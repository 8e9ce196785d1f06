import { serviceRecord } from '../audit/event.js';
import type { KeyRecord } from '../store/types.js';
import type { Deps } from './context.js';
import { expiredMaterials, removeImportedMaterial } from './import/imported-material.js';
import { destroyInToken } from './custom-key-stores/cloudhsm.js';
import { addDays, rotateMaterial } from './rotation/rotation.js';

/**
 * Work the server does on its own when a key's time comes (the scheduler calls this for each key the store
 * reports due). Each piece re-reads the key locked inside its own transaction and acts only if the work is
 * still due, so with several workers or nodes racing on one key it happens exactly once. Each commits its
 * audit record (a CloudTrail service event) with its writes, so the trail has the work exactly when it happened.
 */
export async function runDueWork(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  await endTransientState(deps, due);
  await completeDeletion(deps, due, now);
  await rotateAutomatically(deps, due, now);
  await expireImportedMaterial(deps, due, now);
}

/**
 * A multi-Region key's transient states end on the scheduler's next pass. A new replica (Creating) becomes
 * Enabled, or PendingImport when its primary's material is imported (each Region imports it). A primary
 * Region change left both keys Updating; they were Enabled before (UpdatePrimaryRegion requires it, and
 * Updating refuses every state change), and are again.
 */
async function endTransientState(deps: Deps, due: KeyRecord): Promise<void> {
  if (due.keyState !== 'Creating' && due.keyState !== 'Updating') return;
  await deps.store.transaction(async (tx) => {
    const key = await tx.lockKey(due);
    if (key?.keyState === 'Creating') key.keyState = key.currentMaterialId === undefined ? 'PendingImport' : 'Enabled';
    else if (key?.keyState === 'Updating') key.keyState = 'Enabled';
    else return;
    await tx.updateKey(key);
  });
}

/**
 * A key whose waiting period has passed is deleted with its material, aliases and tags, for good. When it was
 * the last replica of a primary waiting for its replicas (PendingReplicaDeletion), the primary's own waiting
 * period starts then, in the same transaction. A key of an AWS CloudHSM key store goes from its token too, once
 * recorded deleted (ops/custom-key-stores/cloudhsm.ts).
 */
async function completeDeletion(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  if (due.keyState !== 'PendingDeletion') return;
  const deleted = await deps.store.transaction(async (tx) => {
    // Every Region of a multi-Region key is locked first, in Region order: replicas deleted at once on several
    // nodes then take turns, and the last one sees that it is the last.
    const related = due.multiRegion ? await tx.lockRelatedKeys(due.accountId, due.keyId) : [];
    const key = due.multiRegion ? related.find((k) => k.region === due.region) : await tx.lockKey(due);
    if (key?.keyState !== 'PendingDeletion' || !key.deletionDate || key.deletionDate > now) return undefined;
    await tx.deleteKey(key);
    await tx.insertAuditRecords([serviceRecord('DeleteKey', key, now)]);
    const remaining = related.filter((k) => k.region !== key.region);
    const [primary] = remaining;
    if (remaining.length === 1 && primary?.keyState === 'PendingReplicaDeletion' && primary.pendingWindowDays !== undefined) {
      primary.keyState = 'PendingDeletion';
      primary.deletionDate = addDays(now, primary.pendingWindowDays);
      await tx.updateKey(primary);
    }
    return key;
  });
  if (deleted?.origin === 'AWS_CLOUDHSM') await destroyInToken(deps, deleted);
}

/**
 * Automatic rotation of an Enabled key whose rotation date has passed; the next is one period from now. A
 * Disabled key is not rotated (store/records.ts leaves it out of the due keys), and when it is enabled again
 * an overdue rotation happens at once, as AWS describes.
 */
async function rotateAutomatically(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  if (!due.nextRotationDate || due.nextRotationDate > now) return;
  await deps.store.transaction(async (tx) => {
    const key = await tx.lockKey(due);
    if (key?.keyState !== 'Enabled' || key.rotationPeriodDays === undefined || !key.nextRotationDate) return;
    if (key.multiRegionKeyType === 'REPLICA') return;
    if (key.nextRotationDate > now) return;
    key.nextRotationDate = addDays(now, key.rotationPeriodDays);
    await rotateMaterial(tx, deps, key, now, 'AUTOMATIC');
    await tx.insertAuditRecords([serviceRecord('RotateKey', key, now)]);
  });
}

/**
 * Imported material whose ValidTo has passed is deleted, as DeleteImportedKeyMaterial deletes it (the key waits
 * for it, PendingImport), whatever the key's state; CloudTrail records it as DeleteExpiredKeyMaterial.
 */
async function expireImportedMaterial(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  if (!expiredMaterials(due, now).length) return;
  await deps.store.transaction(async (tx) => {
    const key = await tx.lockKey(due);
    const expired = key ? expiredMaterials(key, now) : [];
    if (!key || !expired.length) return;
    for (const material of expired) await removeImportedMaterial(tx, key, material);
    await tx.updateKey(key);
    await tx.insertAuditRecords(expired.map((m) => serviceRecord('DeleteExpiredKeyMaterial', key, now, m.materialId)));
  });
}
