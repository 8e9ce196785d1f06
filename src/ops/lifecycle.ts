import { serviceRecord } from '../audit/event.js';
import type { KeyRecord } from '../store/types.js';
import type { Deps } from './context.js';
import { destroyInToken } from './custom-key-stores/cloudhsm.js';
import { addDays, rotateMaterial } from './rotation/rotation.js';

/**
 * Work the server does on its own when a key's time comes (the scheduler calls this for each key the store
 * reports due). Each piece re-reads the key locked inside its own transaction and acts only if the work is
 * still due, so with several workers or nodes racing on one key it happens exactly once. Each commits its
 * audit record (a CloudTrail service event) with its writes, so the trail has the work exactly when it happened.
 */
export async function runDueWork(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  await completeDeletion(deps, due, now);
  await rotateAutomatically(deps, due, now);
}

/**
 * A key whose waiting period has passed is deleted with its material, aliases and tags, for good; a key of an
 * AWS CloudHSM key store also from its token, once recorded deleted (ops/custom-key-stores/cloudhsm.ts).
 */
async function completeDeletion(deps: Deps, due: KeyRecord, now: Date): Promise<void> {
  if (due.keyState !== 'PendingDeletion') return;
  const deleted = await deps.store.transaction(async (tx) => {
    const key = await tx.lockKey(due);
    if (key?.keyState !== 'PendingDeletion' || !key.deletionDate || key.deletionDate > now) return undefined;
    await tx.deleteKey(key);
    await tx.insertAuditRecords([serviceRecord('DeleteKey', key, now)]);
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
    if (key.nextRotationDate > now) return;
    key.nextRotationDate = addDays(now, key.rotationPeriodDays);
    await rotateMaterial(tx, deps, key, now, 'AUTOMATIC');
    await tx.insertAuditRecords([serviceRecord('RotateKey', key, now)]);
  });
}
