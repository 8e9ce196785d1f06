import { familyOf, requireAlgorithm } from '../../keys/crypto.js';
import type { GenerateMacRequest, VerifyMacRequest } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { currentMaterial } from '../material.js';
import { resolveKey } from '../resolve.js';
import { requireKeyUsage } from '../usage-check.js';

/**
 * What GenerateMac and VerifyMac share, in AWS's order: the key (state table), its usage, the MAC algorithm
 * for its spec (recorded: "Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224."), then DryRun.
 * Returns the HMAC of the message under the key.
 */
export async function macOf(ctx: OpContext, op: 'GenerateMac' | 'VerifyMac', input: GenerateMacRequest | VerifyMacRequest):
  Promise<{ key: KeyRecord; mac: Buffer }> {
  const key = await resolveKey(ctx, op, input.KeyId, { aliases: true });
  requireKeyUsage(key, 'GENERATE_VERIFY_MAC', op);
  requireAlgorithm(key.keySpec, input.MacAlgorithm);
  stopIfDryRun(input.DryRun);
  const { mac } = familyOf(key.keySpec);
  if (!mac) throw new Error(`${key.keySpec} keys cannot MAC`);
  const { secret } = await currentMaterial(ctx.deps, key);
  return { key, mac: mac(key.keySpec, secret, input.MacAlgorithm, input.Message) };
}
