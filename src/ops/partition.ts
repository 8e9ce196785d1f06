import { KEY_SPECS } from '../keys/specs.js';
import type { KeySpec } from '../model/types.gen.js';
import { partitionOf } from '../util/arn.js';
import type { OpContext } from './context.js';

/** Whether the caller's Region offers `spec`: SM2 only in the China partition, as AWS, unless configured everywhere. */
export function offersKeySpec(ctx: OpContext, spec: KeySpec): boolean {
  return !KEY_SPECS[spec].chinaOnly || partitionOf(ctx.caller.region) === 'aws-cn' || ctx.deps.settings.sm2Everywhere;
}
