import type { Handler } from '../context.js';
import { resolveKey } from '../resolve.js';

/**
 * GetKeyLastUsage: any key state (the key-state table allows all), key ID or ARN only. The CloudTrail event ID
 * is the request ID, as in Trent's audit log. TrackingStartDate is when this store began tracking, or the
 * key's creation if later.
 */
export const getKeyLastUsage: Handler<'GetKeyLastUsage'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'GetKeyLastUsage', input.KeyId, { aliases: false });
  const { usage } = ctx.deps;
  const [use, trackingStart] = await Promise.all([usage.lastUse(key), usage.trackingStart()]);
  return {
    KeyId: key.keyId,
    // Unused since tracking began: the element is there, its members absent (as the model documents them).
    KeyLastUsage: use
      ? { Operation: use.operation, Timestamp: use.usedAt, CloudTrailEventId: use.requestId, KmsRequestId: use.requestId }
      : {},
    TrackingStartDate: trackingStart > key.createdAt ? trackingStart : key.createdAt,
    KeyCreationDate: key.createdAt,
  };
};
