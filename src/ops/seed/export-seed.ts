import { stringify } from 'yaml';
import { familyOf } from '../../keys/crypto.js';
import { wrapIdentity, type RootKey } from '../../keys/root-key.js';
import { isAsymmetric } from '../../keys/specs.js';
import type { KeyRecord, MaterialRecord, StoreReads } from '../../store/types.js';

/** Which keys `trent export` writes, and whether with their material. */
export interface ExportRequest {
  readonly accountId: string;
  readonly region: string;
  /**
   * The root key, to write each key's material with, unwrapped (a dev server's, and only when asked: the file
   * then holds every secret in the clear); absent, no material is written.
   */
  readonly materialUnder?: RootKey | undefined;
}

const PAGE = 100;

/**
 * A seed file, in Trent's format (seed-document.ts), describing the keys of one account and Region as the store
 * holds them: spec, usage, origin, description, policy, tags, rotation settings, and the aliases that point to
 * them; with `materialUnder`, every key material version, oldest first and the current one last, so `--seed`
 * makes the same keys again (the same ciphertexts decrypt, the same public keys). Keys it cannot describe are
 * left out: those pending deletion, multi-Region replicas, and keys in custom key stores.
 */
export async function exportSeed(store: StoreReads, request: ExportRequest): Promise<string> {
  const { accountId, region } = request;
  const keys: Array<Record<string, unknown>> = [];
  const exported = new Set<string>();
  for (let after: string | undefined; ;) {
    const refs = await store.listKeys(accountId, region, { after, limit: PAGE });
    for (const ref of refs) {
      const key = await store.getKey(ref);
      if (!key || !exportable(key)) continue;
      keys.push(await keyEntry(store, key, request.materialUnder));
      exported.add(key.keyId);
    }
    if (refs.length < PAGE) break;
    after = refs[refs.length - 1]!.keyId;
  }
  const aliases: Array<Record<string, unknown>> = [];
  for (let after: string | undefined; ;) {
    const page = await store.listAliases(accountId, region, undefined, { after, limit: PAGE });
    for (const a of page) if (exported.has(a.targetKeyId)) aliases.push({ AliasName: a.aliasName, TargetKeyId: a.targetKeyId });
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.aliasName;
  }
  return stringify({ AccountId: accountId, Region: region, Keys: keys, Aliases: aliases }, { lineWidth: 0 });
}

function exportable(key: KeyRecord): boolean {
  return (key.origin === 'AWS_KMS' || key.origin === 'EXTERNAL') && key.multiRegionKeyType !== 'REPLICA'
    && key.keyState !== 'PendingDeletion' && key.keyState !== 'PendingReplicaDeletion';
}

async function keyEntry(store: StoreReads, key: KeyRecord, root: RootKey | undefined): Promise<Record<string, unknown>> {
  const tags = await store.listTags(key);
  const entry: Record<string, unknown> = {
    KeyId: key.keyId,
    KeySpec: key.keySpec,
    KeyUsage: key.keyUsage,
    ...(key.origin === 'EXTERNAL' ? { Origin: key.origin } : {}),
    ...(key.multiRegion ? { MultiRegion: true } : {}),
    ...(key.description ? { Description: key.description } : {}),
    Policy: JSON.parse(key.policy) as unknown,
    ...(tags.length ? { Tags: tags.map((t) => ({ TagKey: t.tagKey, TagValue: t.tagValue })) } : {}),
    ...(key.rotationPeriodDays !== undefined
      ? { RotationPeriodInDays: key.rotationPeriodDays, NextRotationDate: key.nextRotationDate?.toISOString() }
      : {}),
  };
  if (root) {
    const materials = await materialsInOrder(store, key);
    if (materials.length) {
      entry.KeyMaterial = materials.map((m) => {
        const material = encode(key, root.unwrap(wrapIdentity.material(key.accountId, key.keyId, m.materialId), m.wrapped));
        // An AWS_KMS key's version IDs are random: kept, so its ciphertexts decrypt after the seed remakes it.
        return key.origin === 'AWS_KMS'
          ? { Material: material, KeyMaterialId: m.materialId, ...(m.rotationType ? { RotationType: m.rotationType } : {}) }
          : material;
      });
    }
  }
  return entry;
}

/**
 * The key's material versions as a seed gives them: oldest first, the current one last (the seed makes its last
 * one current). An EXTERNAL key's: those imported now, in the order first imported, not one pending rotation.
 */
async function materialsInOrder(store: StoreReads, key: KeyRecord): Promise<MaterialRecord[]> {
  const stored = await store.listMaterials(key);
  const byId = new Map(stored.map((m) => [m.materialId, m]));
  const ids = key.origin === 'EXTERNAL'
    ? (key.importedMaterials ?? []).filter((m) => m.imported && m.state !== 'PENDING_ROTATION').map((m) => m.materialId)
    : [...stored].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((m) => m.materialId);
  const current = key.currentMaterialId;
  const ordered = [...ids.filter((id) => id !== current), ...ids.filter((id) => id === current)];
  return ordered.flatMap((id) => byId.get(id) ?? []);
}

/** An asymmetric key's private key as PEM (PKCS #8), any other material as base64. */
function encode(key: KeyRecord, material: Buffer): string {
  const family = familyOf(key.keySpec);
  const importable = family.exportMaterial?.(key.keySpec, material) ?? material;
  if (!isAsymmetric(key.keySpec)) return importable.toString('base64');
  const lines = importable.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`;
}
