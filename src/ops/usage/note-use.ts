import type { KeyLastUsageTrackingOperation, OperationName } from '../../model/types.gen.js';
import { parseArn } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import type { UsageTracker } from './tracker.js';

/**
 * The operations GetKeyLastUsage reports, each with the response members that name the keys it used: every
 * one answers with its key's ARN in KeyId, and ReEncrypt also names its source key. Reading the keys off the
 * successful response keeps usage tracking in one place (the server calls this after each handler) instead of
 * in every handler, and a failed request, which has no response, is never counted.
 */
const KEY_MEMBERS: Readonly<Record<KeyLastUsageTrackingOperation, readonly string[]>> = {
  Decrypt: ['KeyId'],
  DeriveSharedSecret: ['KeyId'],
  Encrypt: ['KeyId'],
  GenerateDataKey: ['KeyId'],
  GenerateDataKeyPair: ['KeyId'],
  GenerateDataKeyPairWithoutPlaintext: ['KeyId'],
  GenerateDataKeyWithoutPlaintext: ['KeyId'],
  GenerateMac: ['KeyId'],
  ReEncrypt: ['SourceKeyId', 'KeyId'],
  Sign: ['KeyId'],
  Verify: ['KeyId'],
  VerifyMac: ['KeyId'],
};

export function noteKeyUse(usage: UsageTracker, op: OperationName, output: unknown, ctx: OpContext): void {
  const members = KEY_MEMBERS[op as KeyLastUsageTrackingOperation] as readonly string[] | undefined;
  if (!members) return;
  for (const member of members) {
    const value = (output as Record<string, unknown>)[member];
    const arn = typeof value === 'string' ? parseArn(value) : undefined;
    if (!arn) throw new Error(`${op} answered without a key ARN in ${member}`);
    usage.note({
      accountId: arn.accountId,
      region: arn.region,
      keyId: arn.resource.slice('key/'.length),
      operation: op as KeyLastUsageTrackingOperation,
      usedAt: ctx.now,
      requestId: ctx.requestId,
    });
  }
}
