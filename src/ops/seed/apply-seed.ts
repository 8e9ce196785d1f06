import { familyOf } from '../../keys/crypto.js';
import { wrapIdentity } from '../../keys/root-key.js';
import { KEY_SPECS } from '../../keys/specs.js';
import { KmsError } from '../../model/errors.js';
import { defaultKeyPolicy } from '../../policy/document.js';
import type { KeyRecord, KeyRef, StoreOps, Store } from '../../store/types.js';
import { partitionOf } from '../../util/arn.js';
import type { Deps } from '../context.js';
import { installImportedMaterial, rotateToPendingMaterial } from '../import/imported-material.js';
import { insertNewKey } from '../keys/custom-key-id.js';
import { addMaterial } from '../material.js';
import { addDays } from '../rotation/rotation.js';
import { tagRecords } from '../tags.js';
import { SeedError, type SeedDocument, type SeedKey } from './seed-document.js';

/** Where a seed's keys go when the file does not say, and what Trent offers there. */
export interface SeedPlace {
  readonly accountId: string;
  readonly region: string;
  /** Offer SM2 outside the China partition (the server's setting). */
  readonly sm2Everywhere: boolean;
}

export interface SeedOutcome {
  readonly keysCreated: number;
  readonly aliasesCreated: number;
}

/**
 * Makes what a seed file describes and the store lacks, in one transaction: a file that contradicts the store
 * anywhere (a key of another spec, other material, an alias pointing elsewhere…) makes nothing and throws a
 * SeedError naming the key or alias. What the store already has as the file says is left as it is, so loading
 * the same file again changes nothing. Given material is installed by the import code (installImportedMaterial),
 * each version checked by the key family as ImportKeyMaterial checks it; the rest is generated as CreateKey does.
 *
 * The writes are Trent's own, at start, not a caller's request: they have no audit record (like the material
 * pool's), and the keys-per-Region quota is not counted against them.
 */
export async function applySeed(store: Store, deps: Pick<Deps, 'root'>, seed: SeedDocument, defaults: SeedPlace,
  now: Date): Promise<SeedOutcome> {
  const accountId = seed.accountId ?? defaults.accountId;
  const region = seed.region ?? defaults.region;
  if (!/^\d{12}$/.test(accountId)) throw new SeedError(`AccountId ${accountId} is not an account ID (12 digits)`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new SeedError(`Region ${region} is not a Region name`);
  for (const key of seed.keys) {
    if (KEY_SPECS[key.keySpec].chinaOnly && partitionOf(region) !== 'aws-cn' && !defaults.sm2Everywhere) {
      throw new SeedError(`key ${key.keyId}: ${key.keySpec} keys are offered only in the China partition (cn-* Regions)`);
    }
  }
  return store.transaction(async (tx) => {
    let keysCreated = 0;
    for (const key of seed.keys) {
      const ref = { accountId, region, keyId: key.keyId };
      await named(`key ${key.keyId}`, async () => {
        const existing = await tx.lockKey(ref);
        if (existing) return checkAgrees(tx, deps, existing, key);
        await createKey(tx, deps, ref, key, now);
        keysCreated++;
      });
    }
    let aliasesCreated = 0;
    for (const alias of seed.aliases) {
      const where = `alias ${alias.aliasName}`;
      const target = await tx.getKey({ accountId, region, keyId: alias.targetKeyId });
      if (!target) throw new SeedError(`${where}: its target key ${alias.targetKeyId} is neither in the seed file nor in the store`);
      const existing = await tx.getAlias(accountId, region, alias.aliasName);
      if (existing) {
        if (existing.targetKeyId !== alias.targetKeyId) {
          throw new SeedError(`${where} points to key ${existing.targetKeyId}; the seed file says key ${alias.targetKeyId}`);
        }
        continue;
      }
      await tx.insertAlias({ accountId, region, aliasName: alias.aliasName, targetKeyId: alias.targetKeyId, createdAt: now, updatedAt: now });
      aliasesCreated++;
    }
    return { keysCreated, aliasesCreated };
  });
}

/** A new key as the seed describes it, Enabled (an EXTERNAL key without material: PendingImport). */
async function createKey(tx: StoreOps, deps: Pick<Deps, 'root'>, ref: KeyRef, seed: SeedKey, now: Date): Promise<void> {
  const key: KeyRecord = {
    ...ref,
    createdAt: now,
    description: seed.description ?? '',
    keySpec: seed.keySpec,
    keyUsage: seed.keyUsage,
    origin: seed.origin,
    keyState: seed.origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled',
    multiRegion: seed.multiRegion,
    multiRegionKeyType: seed.multiRegion ? 'PRIMARY' : undefined,
    primaryRegion: seed.multiRegion ? ref.region : undefined,
    policy: seed.policy ?? defaultKeyPolicy(partitionOf(ref.region), ref.accountId),
    rotationPeriodDays: seed.rotation?.periodDays,
    nextRotationDate: seed.rotation ? seed.rotation.next ?? addDays(now, seed.rotation.periodDays) : undefined,
  };
  await insertNewKey(tx, key);
  const n = seed.materials.length;
  for (const [i, { material, materialId, rotationType }] of seed.materials.entries()) {
    // A second apart, oldest first, so ListKeyRotations lists them in the file's order.
    const at = new Date(now.getTime() - (n - 1 - i) * 1000);
    await installImportedMaterial(tx, deps, key, material, {
      importType: 'NEW_KEY_MATERIAL', expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', now: at, keyMaterialId: materialId, rotationType,
    });
    // An EXTERNAL key's later material waits for a rotation, as after ImportKeyMaterial; the seed makes it current.
    if (seed.origin === 'EXTERNAL' && i > 0) await rotateToPendingMaterial(tx, key, at);
  }
  if (n === 0 && seed.origin === 'AWS_KMS') {
    key.currentMaterialId = await addMaterial(tx, deps.root, key, await familyOf(key.keySpec).generate(key.keySpec), now);
    await tx.updateKey(key);
  }
  if (seed.tags.length) await tx.putTags(key, tagRecords(seed.tags));
}

/** Throws unless the existing key is as the seed describes it (what the seed leaves out may be anything). */
async function checkAgrees(tx: StoreOps, deps: Pick<Deps, 'root'>, key: KeyRecord, seed: SeedKey): Promise<void> {
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') {
    throw new SeedError(`exists and is pending deletion; the seed file wants it in use`);
  }
  const differ = (what: string, stored: unknown, seeded: unknown) => {
    if (stored !== seeded) throw new SeedError(`exists with ${what} ${String(stored)}; the seed file says ${String(seeded)}`);
  };
  differ('KeySpec', key.keySpec, seed.keySpec);
  differ('KeyUsage', key.keyUsage, seed.keyUsage);
  differ('Origin', key.origin, seed.origin);
  differ('MultiRegion', key.multiRegion, seed.multiRegion);
  if (seed.description !== undefined) differ('Description', JSON.stringify(key.description), JSON.stringify(seed.description));
  if (seed.policy !== undefined && canonicalJson(key.policy) !== canonicalJson(seed.policy)) {
    throw new SeedError('exists with another key policy than the seed file\'s');
  }
  if (seed.rotation) differ('RotationPeriodInDays', key.rotationPeriodDays ?? '(rotation off)', seed.rotation.periodDays);
  const tags = new Map((await tx.listTags(key)).map((t) => [t.tagKey, t.tagValue]));
  for (const t of seed.tags) {
    if (tags.get(t.TagKey) !== t.TagValue) {
      throw new SeedError(`exists with tag ${t.TagKey} ${tags.has(t.TagKey) ? `= ${JSON.stringify(tags.get(t.TagKey))}` : 'absent'}; the seed file says ${JSON.stringify(t.TagValue)}`);
    }
  }
  if (seed.materials.length === 0) return;
  // Compared as the key family keeps material (its canonical form), whatever material IDs the store gave them.
  const held = (await tx.listMaterials(key)).map((m) => deps.root.unwrap(wrapIdentity.material(key.accountId, key.keyId, m.materialId), m.wrapped));
  for (const [i, given] of seed.materials.entries()) {
    const material = familyOf(key.keySpec).importMaterial(key.keySpec, given.material);
    if (!held.some((h) => h.equals(material))) {
      throw new SeedError(`exists with other key material than the seed file's (material ${i + 1} of ${seed.materials.length})`);
    }
  }
}

function canonicalJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Runs `fn`, naming `what` in the error it throws (AWS's errors from the import code's checks included). */
async function named<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SeedError) throw new SeedError(`${what} ${e.message}`);
    if (e instanceof KmsError) throw new SeedError(`${what}: ${e.name}: ${e.message}`);
    throw e;
  }
}
