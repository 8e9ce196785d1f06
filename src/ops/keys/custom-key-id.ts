import { KmsError } from '../../model/errors.js';
import type { Tag } from '../../model/types.gen.js';
import { StoreConflictError, type KeyRecord, type StoreOps } from '../../store/types.js';
import { newKeyId } from '../../util/ids.js';
import { CUSTOM_ID_TAG, CUSTOM_KEY_MATERIAL_TAG } from '../../util/localstack-tags.js';
import type { OpContext } from '../context.js';

/*
 * LocalStack's tags, honoured in dev only and not kept as tags; in serve they are ordinary tags, as in AWS:
 * `_custom_id_` fixes the ID of the key CreateKey makes, so that a test or a fixture can name it in advance;
 * `_custom_key_material_` gives its material, base64: a symmetric or HMAC key's bytes, an asymmetric key's DER
 * private key (PKCS #8, or PKCS #1 / SEC 1 as LocalStack also reads them). The names are in util/localstack-tags.ts.
 */

/** What CreateKey takes from its tags: the key ID, the material if given, and the tags the key keeps. */
export interface DevTagged {
  readonly keyId: string;
  readonly material: Buffer | undefined;
  readonly tags: readonly Tag[];
}

const SINGLE_REGION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MULTI_REGION_ID = /^mrk-[0-9a-f]{32}$/;

/**
 * The new key's ID and given material, and the tags it keeps: in dev, a `_custom_id_` tag gives the ID (which must
 * have the form AWS gives a key of this kind: a UUID, or for a multi-Region key `mrk-` and 32 hex digits, lower
 * case) and a `_custom_key_material_` tag the material (checked later, as imported material is); both are dropped.
 * Otherwise the ID is random and every tag is kept.
 */
export function devTagged(ctx: OpContext, tags: readonly Tag[], multiRegion: boolean): DevTagged {
  if (ctx.deps.settings.posture !== 'dev') return { keyId: newKeyId(multiRegion), material: undefined, tags };
  const id = singleTag(tags, CUSTOM_ID_TAG);
  const material = singleTag(tags, CUSTOM_KEY_MATERIAL_TAG);
  if (id !== undefined) checkCustomKeyId(id, multiRegion, `The ${CUSTOM_ID_TAG} tag's value`);
  return {
    keyId: id ?? newKeyId(multiRegion),
    material: material === undefined ? undefined : materialOf(material),
    tags: tags.filter((t) => t.TagKey !== CUSTOM_ID_TAG && t.TagKey !== CUSTOM_KEY_MATERIAL_TAG),
  };
}

function singleTag(tags: readonly Tag[], key: string): string | undefined {
  const found = tags.filter((t) => t.TagKey === key);
  if (found.length > 1) throw new KmsError('TagException', 'Duplicate tag keys');
  return found[0]?.TagValue;
}

/**
 * Refuses a key ID that is not of the form AWS gives a key of this kind (a lowercase UUID, or for a multi-Region
 * key `mrk-` and 32 lowercase hex digits); `what` names where it came from.
 */
export function checkCustomKeyId(keyId: string, multiRegion: boolean, what: string): void {
  if (!(multiRegion ? MULTI_REGION_ID : SINGLE_REGION_ID).test(keyId)) {
    throw new KmsError('ValidationException', `${what} ${JSON.stringify(keyId)} is not a key ID: ` +
      (multiRegion ? 'a multi-Region key ID is mrk- followed by 32 lowercase hex digits.' : 'a key ID is a lowercase UUID.'));
  }
}

/** The tag's base64, decoded strictly: a typo must not silently become other material. */
function materialOf(base64: string): Buffer {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0 || bytes.toString('base64').replace(/=+$/, '') !== base64.replace(/=+$/, '')) {
    throw new KmsError('ValidationException', `The ${CUSTOM_KEY_MATERIAL_TAG} tag's value is not base64.`);
  }
  return bytes;
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
