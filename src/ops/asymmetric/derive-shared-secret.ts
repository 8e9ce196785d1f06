import { familyOf, requireAlgorithm } from '../../keys/crypto.js';
import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { currentMaterial } from '../material.js';
import { refuseRecipient } from '../recipient.js';
import { resolveKey } from '../resolve.js';
import { requireKeyUsage } from '../usage-check.js';

/**
 * DeriveSharedSecret: ECDH between the key's private half and the peer's SubjectPublicKeyInfo, answering the
 * raw shared secret (the x coordinate), as AWS does. The peer key's checks (its curve, its encoding: a bare
 * ValidationException, recorded) are part of the derivation, so a DryRun answers only after it.
 */
export const deriveSharedSecret: Handler<'DeriveSharedSecret'> = async (input, ctx) => {
  const key = await resolveKey(ctx, 'DeriveSharedSecret', input.KeyId, { aliases: true });
  requireKeyUsage(key, 'KEY_AGREEMENT', 'DeriveSharedSecret');
  requireAlgorithm(key.keySpec, input.KeyAgreementAlgorithm);
  refuseRecipient(input.Recipient);
  const { deriveSharedSecret: derive } = familyOf(key.keySpec);
  if (!derive) throw new Error(`${key.keySpec} keys cannot agree on keys`);
  const { secret } = await currentMaterial(ctx.deps, key);
  const sharedSecret = derive(key.keySpec, secret, input.PublicKey);
  stopIfDryRun(input.DryRun);
  return {
    KeyId: arnOf(key),
    SharedSecret: sharedSecret,
    KeyAgreementAlgorithm: input.KeyAgreementAlgorithm,
    KeyOrigin: key.origin,
  };
};
