import { KmsError } from '../../model/errors.js';
import type { Tag } from '../../model/types.gen.js';
import { StoreConflictError, type KeyRecord, type StoreOps } from '../../store/types.js';
import { newKeyId } from '../../util/ids.js';
import type { OpContext } from '../context.js';

/**
 * LocalStack's tag that fixes the ID of the key CreateKey makes, so that a test or a fixture can name it in
 * advance. Honoured in dev only, and not kept as a tag; in serve it is an ordinary tag, as in AWS.
 */
export const CUSTOM_ID_TAG = '_custom_id_';

const SINGLE_REGION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_ID = /^mrk-[0-9a-f]{32}$/;

/**
 * The new key's ID, and the tags it keeps: in dev, a `_custom_id_` tag gives the ID (which must have the form
 * AWS gives a key of this kind: a UUID, or for a multi-Region key `mrk-` and 32 hex digits, lower case) and is
 * dropped; otherwise the ID is random and every tag is kept.
 */
export function keyIdAndTags(ctx: OpContext, tags: readonly Tag[], multiRegion: boolean): { keyId: string; tags: readonly Tag[] } {
  if (ctx.deps.settings.posture !== 'dev') return { keyId: newKeyId(multiRegion), tags };
  const custom = tags.filter((t) => t.TagKey === CUSTOM_ID_TAG);
  if (custom.length === 0) return { keyId: newKeyId(multiRegion), tags };
  if (custom.length > 1) throw new KmsError('TagException', 'Duplicate tag keys');
  const keyId = custom[0]!.TagValue;
  if (!(multiRegion ? MULTI_REGION_ID : SINGLE_REGION_ID).test(keyId)) {
    throw new KmsError('ValidationException', `The ${CUSTOM_ID_TAG} tag's value ${JSON.stringify(keyId)} is not a key ID: ` +
      (multiRegion ? 'a multi-Region key ID is mrk- followed by 32 lowercase hex digits.' : 'a key ID is a lowercase UUID.'));
  }
  return { keyId, tags: tags.filter((t) => t.TagKey !== CUSTOM_ID_TAG) };
}

/** Inserts the new key; a custom ID the account already has in the Region (whatever that key's state) is refused. */
export async function insertNewKey(tx: Pick<StoreOps, 'insertKey'>, key: KeyRecord): Promise<void> {
  try {
    await tx.insertKey(key);
  } catch (e) {
    if (!(e instanceof StoreConflictError)) throw e;
    throw new KmsError('AlreadyExistsException', `A key with ID ${key.keyId} already exists in this account and Region.`);
  }
}
