import type { KeyLastUsageTrackingOperation, OperationName } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import type { UsageTracker } from './tracker.js';

/** The operations GetKeyLastUsage reports: the cryptographic ones. */
const TRACKED: ReadonlySet<OperationName> = new Set<KeyLastUsageTrackingOperation>([
  'Decrypt', 'DeriveSharedSecret', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
  'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'ReEncrypt', 'Sign', 'Verify', 'VerifyMac',
]);

/** The resolver calls this for every key it admits: a tracked operation's keys are the ones it uses. */
export function recordKeyUse(ctx: OpContext, op: OperationName, key: KeyRecord): void {
  if (TRACKED.has(op)) ctx.keysUsed.push({ accountId: key.accountId, region: key.region, keyId: key.keyId });
}

/**
 * Notes the uses the request recorded, once its handler has succeeded and its audit record is durable (the
 * server calls this then): a failed request, a refused or dry run one included, never counts, nor one refused
 * because the trail could not be written.
 */
export function noteKeyUses(usage: UsageTracker, op: OperationName, ctx: OpContext): void {
  // Spelled out: V8 builds `{ ...ref, more }` on a slow path (~2 µs, on every data-plane request).
  for (const ref of ctx.keysUsed) {
    usage.note({
      accountId: ref.accountId, region: ref.region, keyId: ref.keyId,
      operation: op as KeyLastUsageTrackingOperation, usedAt: ctx.now, requestId: ctx.requestId,
    });
  }
}
