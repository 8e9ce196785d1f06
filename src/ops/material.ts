import { wrapIdentity, type RootKey } from '../keys/root-key.js';
import type { RotationType } from '../model/types.gen.js';
import type { KeyRecord, KeyRef, MaterialRecord, StoreOps } from '../store/types.js';
import { newMaterialId } from '../util/ids.js';
import { LruMap } from '../util/lru.js';
import type { Deps } from './context.js';

/** Wraps a new secret under the root key and records it as a material version of `key`. Returns its ID. */
export async function addMaterial(tx: StoreOps, root: RootKey, key: KeyRef, secret: Buffer, createdAt: Date,
  rotationType?: RotationType, materialId = newMaterialId()): Promise<string> {
  const record: MaterialRecord = {
    keyId: key.keyId,
    accountId: key.accountId,
    materialId,
    createdAt,
    rotationType,
    wrapped: root.wrap(wrapIdentity.material(key.accountId, key.keyId, materialId), secret),
  };
  await tx.insertMaterial(key, record);
  return materialId;
}

/**
 * Unwrapped material, kept briefly in memory: a material version never changes once written, so a cached
 * copy cannot go stale. It can outlive its key's deletion only until evicted, and nothing reaches it
 * without first finding the key record, which the store answers exactly. Least recently used goes first, so
 * the keys in use stay.
 */
const unwrapped = new LruMap<string, Buffer>(4096);

/** The unwrapped secret of one material version of `key`, or undefined if the key has no such version. */
export async function loadMaterial(deps: Deps, key: KeyRecord, materialId: string): Promise<Buffer | undefined> {
  const identity = wrapIdentity.material(key.accountId, key.keyId, materialId);
  const hit = unwrapped.get(identity);
  if (hit) return hit;
  const record = await deps.store.getMaterial(key, materialId);
  if (!record) return undefined;
  const secret = deps.root.unwrap(identity, record.wrapped);
  unwrapped.set(identity, secret);
  return secret;
}

/**
 * Drops one material version's unwrapped secret from this process: deleted imported material should not stay in
 * memory (other processes' copies go when evicted; the key-state table keeps them from use until then).
 */
export function forgetMaterial(key: KeyRef, materialId: string): void {
  unwrapped.delete(wrapIdentity.material(key.accountId, key.keyId, materialId));
}

/**
 * Drops every unwrapped secret. The server calls it when the store may have changed under it wholesale (a
 * `resync`: a reset, a restore, missed notifications), so the secrets of keys that may no longer exist do
 * not stay in memory until evicted.
 */
export function forgetUnwrappedMaterial(): void {
  unwrapped.clear();
}

/** The material new operations use; callers have already refused keys without one (the key-state table). */
export async function currentMaterial(deps: Deps, key: KeyRecord): Promise<{ materialId: string; secret: Buffer }> {
  const materialId = key.currentMaterialId;
  const secret = materialId === undefined ? undefined : await loadMaterial(deps, key, materialId);
  if (materialId === undefined || !secret) throw new Error(`key ${key.keyId} has no current material`);
  return { materialId, secret };
}
