import { checkSigningRequest, familyOf, type KeyFamily } from '../../keys/crypto.js';
import type { MessageType, SignRequest, VerifyRequest } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { currentMaterial } from '../material.js';
import { resolveKey } from '../resolve.js';
import { requireKeyUsage } from '../usage-check.js';

export interface SigningCall {
  readonly key: KeyRecord;
  readonly family: Required<Pick<KeyFamily, 'sign' | 'verify'>>;
  readonly material: Buffer;
  readonly type: MessageType;
}

/**
 * What Sign and Verify share, in AWS's order: the key (state table), its usage, the algorithm for its spec,
 * the MessageType for the algorithm and a digest's length; then DryRun, before any signature is made or judged.
 */
export async function prepareSigning(ctx: OpContext, op: 'Sign' | 'Verify', input: SignRequest | VerifyRequest):
  Promise<SigningCall> {
  const key = await resolveKey(ctx, op, input.KeyId, { aliases: true });
  requireKeyUsage(key, 'SIGN_VERIFY', op);
  const type = input.MessageType ?? 'RAW';
  checkSigningRequest(key.keySpec, input.SigningAlgorithm, input.Message, type);
  stopIfDryRun(input.DryRun);
  const { sign, verify } = familyOf(key.keySpec);
  if (!sign || !verify) throw new Error(`${key.keySpec} keys cannot sign`);
  const { secret } = await currentMaterial(ctx.deps, key);
  return { key, family: { sign, verify }, material: secret, type };
}
