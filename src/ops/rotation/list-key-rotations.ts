import { KmsError } from '../../model/errors.js';
import type { RotationsListEntry } from '../../model/types.gen.js';
import type { KeyRecord, MaterialRecord } from '../../store/types.js';
import type { Handler } from '../context.js';
import { decodeMarker, pageLimit, toPage } from '../paginate.js';
import { resolveKey } from '../resolve.js';
import { requireRotatingOrigin, rotatesMaterial } from './rotation.js';

/**
 * ListKeyRotations: the key's material versions, oldest first. By default (ROTATIONS_ONLY) only those made by
 * rotation; ALL_KEY_MATERIAL adds the key's first material. The import-only fields (ImportState,
 * ExpirationModel, ValidTo, KeyMaterialDescription) never apply: only keys with KMS-generated material rotate.
 * An asymmetric or HMAC key has no rotations to list; IncludeKeyMaterial "can only be used with KMS keys that
 * support automatic or on-demand key rotation" (API reference), so naming it for such a key is refused.
 */
export const listKeyRotations: Handler<'ListKeyRotations'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'ListKeyRotations', input.KeyId, { aliases: false });
  requireRotatingOrigin(key);
  if (!rotatesMaterial(key)) {
    if (input.IncludeKeyMaterial !== undefined) throw new KmsError('UnsupportedOperationException', '');
    return { Rotations: [], Truncated: false };
  }
  const after = decodeMarker('ListKeyRotations', input.Marker);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  // A key has at most a few dozen versions a year (25 on demand, one per automatic period), so one read suffices.
  const materials = (await ctx.deps.store.listMaterials(key))
    .filter((m) => all || m.rotationType !== undefined)
    .filter((m) => after === undefined || sortKey(m) > after);
  const limit = pageLimit(input.Limit);
  const page = toPage('ListKeyRotations', materials.slice(0, limit + 1), limit, sortKey);
  return {
    Rotations: page.items.map((m) => entry(key, m)),
    NextMarker: page.nextMarker,
    Truncated: page.truncated,
  };
};

/** Orders as the store lists: by creation time, then ID; fixed width so string order is that order. */
function sortKey(m: MaterialRecord): string {
  return `${String(m.createdAt.getTime()).padStart(15, '0')}:${m.materialId}`;
}

function entry(key: KeyRecord, m: MaterialRecord): RotationsListEntry {
  return {
    KeyId: key.keyId,
    KeyMaterialId: m.materialId,
    KeyMaterialState: m.materialId === key.currentMaterialId ? 'CURRENT' : 'NON_CURRENT',
    RotationDate: m.rotationType === undefined ? undefined : m.createdAt,
    RotationType: m.rotationType,
  };
}
