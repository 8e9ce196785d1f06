import { KmsError } from '../../model/errors.js';
import type { RotationsListEntry } from '../../model/types.gen.js';
import type { ImportedMaterial, KeyRecord, MaterialRecord } from '../../store/types.js';
import type { Handler, OpContext } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { requireRotatingOrigin, rotatesMaterial } from './rotation.js';

/** One listed material and the key it is ordered by (fixed width, so string order is list order). */
interface Listed {
  readonly sortKey: string;
  readonly entry: RotationsListEntry;
}

/**
 * ListKeyRotations: the key's materials, oldest first. By default (ROTATIONS_ONLY) only those made current by
 * rotation; ALL_KEY_MATERIAL adds the key's first material and, for imported material, the one pending
 * rotation. A symmetric key of imported material lists each material's ImportState, expiration and description
 * too, in any key state (a key pending import is how one finds which material to import again). An asymmetric
 * or HMAC key has no rotations to list; IncludeKeyMaterial "can only be used with KMS keys that support
 * automatic or on-demand key rotation" (API reference), so naming it for such a key is refused.
 */
export const listKeyRotations: Handler<'ListKeyRotations'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'ListKeyRotations', input.KeyId, { aliases: false });
  const importedSymmetric = key.origin === 'EXTERNAL' && rotatesMaterial(key);
  if (!importedSymmetric) requireRotatingOrigin(key);
  if (!rotatesMaterial(key)) {
    if (input.IncludeKeyMaterial !== undefined) throw new KmsError('UnsupportedOperationException', '');
    return { Rotations: [], Truncated: false };
  }
  const after = decodeMarker('ListKeyRotations', input.Marker);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const listed = (importedSymmetric ? importedListing(key, all) : await generatedListing(ctx, key, all))
    .filter((m) => after === undefined || m.sortKey > after);
  const limit = pageLimit(input.Limit);
  const page = toPage('ListKeyRotations', listed.slice(0, limit + 1), limit, (m) => m.sortKey);
  return {
    Rotations: page.items.map((m) => m.entry),
    NextMarker: page.nextMarker,
    Truncated: page.truncated,
  };
};

/** A key has at most a few dozen versions a year (25 on demand, one per automatic period), so one read suffices. */
async function generatedListing(ctx: OpContext, key: KeyRecord, all: boolean): Promise<Listed[]> {
  return (await ctx.deps.store.listMaterials(key))
    .filter((m) => all || m.rotationType !== undefined)
    .map((m) => ({ sortKey: `${String(m.createdAt.getTime()).padStart(15, '0')}:${m.materialId}`, entry: generatedEntry(key, m) }));
}

function generatedEntry(key: KeyRecord, m: MaterialRecord): RotationsListEntry {
  return {
    KeyId: key.keyId,
    KeyMaterialId: m.materialId,
    KeyMaterialState: m.materialId === key.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
    RotationDate: m.rotationType === undefined ? undefined : m.createdAt,
    RotationType: m.rotationType,
  };
}

/** Imported materials in the order they were first imported: the key record keeps them so. */
function importedListing(key: KeyRecord, all: boolean): Listed[] {
  return (key.importedMaterials ?? [])
    .map((m, i) => ({ m, sortKey: String(i).padStart(6, '0') }))
    .filter(({ m }) => all || m.rotationDate !== undefined)
    .map(({ m, sortKey }) => ({ sortKey, entry: importedEntry(key, m) }));
}

function importedEntry(key: KeyRecord, m: ImportedMaterial): RotationsListEntry {
  return {
    KeyId: key.keyId,
    KeyMaterialId: m.materialId,
    KeyMaterialDescription: m.description,
    ImportState: m.imported ? 'IMPORTED' : 'PENDING_IMPORT',
    KeyMaterialState: m.state,
    ExpirationModel: m.expirationModel,
    ValidTo: m.validTo,
    RotationDate: m.rotationDate,
    RotationType: m.rotationDate ? 'ON_DEMAND' : undefined,
  };
}
