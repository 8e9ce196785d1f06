import type { Handler } from '../context.js';
import { keyMetadata } from '../metadata.js';
import { relatedKeysOf } from '../multi-region/related-keys.js';
import { resolveKey } from '../resolve.js';

export const describeKey: Handler<'DescribeKey'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'DescribeKey', input.KeyId, { aliases: true });
  return { KeyMetadata: keyMetadata(key, await relatedKeysOf(ctx.deps.store, key)) };
};
