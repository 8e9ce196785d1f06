import { familyOf } from '../../keys/crypto.js';
import { KmsError } from '../../model/errors.js';
import type { RotationType } from '../../model/types.gen.js';
import type { KeyRecord, StoreOps } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';
import type { Deps } from '../context.js';
import { addMaterial } from '../material.js';
import { requirePrimary, shareWithReplicas } from '../multi-region/related-keys.js';

/** AWS's limits: RotateKeyOnDemand at most 25 times per key (not adjustable); automatic rotation yearly by default. */
export const MAX_ON_DEMAND_ROTATIONS = 25;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/**
 * Only symmetric encryption keys whose material KMS generated rotate (AWS refuses asymmetric and HMAC keys
 * with an empty UnsupportedOperationException, imported material naming the origin; both recorded), and of a
 * multi-Region key only the primary, for every Region. This is the precondition of the operations that change
 * rotation; the reads answer for every key of a rotating origin, replicas included.
 */
export function requireRotatable(key: KeyRecord): void {
  requireRotatingOrigin(key);
  if (!rotatesMaterial(key)) throw new KmsError('UnsupportedOperationException', '');
  if (key.multiRegion) requirePrimary(key);
}

/** Whether the key's spec is one whose material rotates (symmetric encryption keys only). */
export function rotatesMaterial(key: KeyRecord): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT';
}

/**
 * Imported material and keys in custom key stores are refused by the rotation operations, reads included,
 * naming the key's origin (key-state table, footnotes [6] and [7]); only RotateKeyOnDemand and ListKeyRotations
 * take a symmetric key of imported material (ops/import/imported-material.ts).
 */
export function requireRotatingOrigin(key: KeyRecord): void {
  if (key.origin !== 'AWS_KMS') {
    throw new KmsError('UnsupportedOperationException',
      `${arnOf(key)} origin is ${key.origin} which is not valid for this operation.`);
  }
}

/** Whether automatic rotation is on: the key has a period (the schedule survives Disabled and PendingDeletion). */
export function automaticRotationEnabled(key: KeyRecord): boolean {
  return key.rotationPeriodDays !== undefined;
}

/**
 * Rotates `key` (locked by the caller in `tx`): new material becomes current, every older version stays for
 * decryption. The key record (and a multi-Region primary's replicas) is updated in the same transaction, so a
 * crash leaves either both or neither.
 */
export async function rotateMaterial(tx: StoreOps, deps: Deps, key: KeyRecord, now: Date, type: RotationType): Promise<void> {
  const secret = await familyOf(key.keySpec).generate(key.keySpec);
  key.currentMaterialId = await addMaterial(tx, deps.root, key, secret, now, type);
  await tx.updateKey(key);
  await shareWithReplicas(tx, key);
}
