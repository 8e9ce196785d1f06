import { KmsError } from '../model/errors.js';
import type { Tag } from '../model/types.gen.js';
import type { TagRecord } from '../store/types.js';

export const MAX_TAGS_PER_KEY = 50;

/**
 * The tag rules the model cannot express (lengths it can): `aws:` is reserved in any case, a key may not
 * repeat within a request, and a key holds at most 50 tags counting those it already has.
 */
export function checkTags(tags: readonly Tag[], existing: readonly TagRecord[] = []): void {
  if (tags.some((t) => t.TagKey.toLowerCase().startsWith('aws:'))) {
    throw new KmsError('TagException', 'Tags beginning with aws: are reserved');
  }
  const keys = new Set(tags.map((t) => t.TagKey));
  if (keys.size !== tags.length) throw new KmsError('TagException', 'Duplicate tag keys');
  const total = new Set([...existing.map((t) => t.tagKey), ...keys]).size;
  if (total > MAX_TAGS_PER_KEY) throw new KmsError('TagException', 'Too many tags');
}

export function tagRecords(tags: readonly Tag[]): TagRecord[] {
  return tags.map((t) => ({ tagKey: t.TagKey, tagValue: t.TagValue }));
}
