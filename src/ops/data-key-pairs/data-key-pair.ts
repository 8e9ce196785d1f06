import { familyOf, requireAlgorithm } from '../../keys/crypto.js';
import { KmsError } from '../../model/errors.js';
import type {
  GenerateDataKeyPairRequest, GenerateDataKeyPairWithoutPlaintextResponse, KeySpec,
} from '../../model/types.gen.js';
import { arnOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { sealUnder } from '../envelope.js';
import { offersKeySpec } from '../partition.js';
import { refuseRecipient } from '../recipient.js';
import { resolveKey } from '../resolve.js';
import { requireKeyUsage } from '../usage-check.js';

export interface DataKeyPair {
  /** PKCS#8 DER; the caller decides whether it leaves Trent. */
  readonly privateKey: Buffer;
  /** The answer without the plaintext: the private key sealed as Encrypt seals (so Decrypt recovers it), the SPKI. */
  readonly response: GenerateDataKeyPairWithoutPlaintextResponse;
}

/**
 * What GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext share: the checks (the key and its state, a
 * symmetric encryption key outside any custom key store, the pair spec in this Region, Recipient, DryRun), then
 * a fresh key pair from the material pool (RSA pairs generated ahead, as CreateKey takes them; others made by their
 * family off the event loop), its private key sealed under the KMS key.
 */
export async function generateDataKeyPair(ctx: OpContext, op: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext',
  input: GenerateDataKeyPairRequest): Promise<DataKeyPair> {
  const key = await resolveKey(ctx, op, input.KeyId, { aliases: true });
  const arn = arnOf(key);
  requireKeyUsage(key, 'ENCRYPT_DECRYPT', op);
  // An asymmetric encryption key is refused as Encrypt refuses it with the symmetric algorithm AWS would use.
  requireAlgorithm(key.keySpec, 'SYMMETRIC_DEFAULT');
  if (key.origin === 'AWS_CLOUDHSM' || key.origin === 'EXTERNAL_KEY_STORE') {
    throw new KmsError('UnsupportedOperationException', `${arn} origin is ${key.origin} which is not valid for this operation.`);
  }
  const spec: KeySpec = input.KeyPairSpec;
  if (!offersKeySpec(ctx, spec)) {
    throw new KmsError('ValidationException', `KeyPairSpec ${spec} is not supported in this region.`);
  }
  refuseRecipient(input.Recipient);
  stopIfDryRun(input.DryRun);

  const family = familyOf(spec);
  if (!family.publicKey) throw new Error(`${spec} has no public key`);
  const privateKey = await ctx.deps.pool.secretFor(spec);
  const { ciphertext, materialId } = await sealUnder(ctx, key, privateKey, input.EncryptionContext);
  return {
    privateKey,
    response: {
      KeyId: arn,
      KeyPairSpec: input.KeyPairSpec,
      PrivateKeyCiphertextBlob: ciphertext,
      PublicKey: family.publicKey(spec, privateKey),
      KeyMaterialId: materialId,
    },
  };
}
