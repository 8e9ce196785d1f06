import { randomBytes } from 'node:crypto';
import { KmsError } from '../../model/errors.js';
import type { DataKeySpec } from '../../model/types.gen.js';
import type { OpContext } from '../context.js';
import { stopIfDryRun } from '../dry-run.js';
import { resolveKey } from '../resolve.js';
import { encryptWith } from './data-plane.js';
import { arnOf } from '../../util/arn.js';

const SPEC_BYTES: Readonly<Record<DataKeySpec, number>> = { AES_128: 16, AES_256: 32 };

interface DataKeyRequest {
  readonly KeyId: string;
  readonly EncryptionContext?: Record<string, string> | undefined;
  readonly KeySpec?: DataKeySpec | undefined;
  readonly NumberOfBytes?: number | undefined;
  readonly DryRun?: boolean | undefined;
}

export interface DataKey {
  readonly plaintext: Buffer;
  readonly ciphertext: Buffer;
  readonly keyArn: string;
  readonly materialId: string | undefined;
}

/**
 * GenerateDataKey and GenerateDataKeyWithoutPlaintext: exactly one of KeySpec and NumberOfBytes (checked before
 * the key is looked up, as a malformed request), a symmetric encryption key, a fresh random key encrypted
 * under it.
 */
export async function generateDataKey(ctx: OpContext, op: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext',
  input: DataKeyRequest): Promise<DataKey> {
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  const length = input.NumberOfBytes ?? SPEC_BYTES[input.KeySpec!];
  const key = await resolveKey(ctx, op, input.KeyId, { aliases: true });
  const plaintext = randomBytes(length);
  // With SYMMETRIC_DEFAULT, the only algorithm data keys use, encryptWith refuses every other kind of key
  // (asymmetric encryption keys as Encrypt refuses them that algorithm).
  const sealed = await encryptWith(ctx, op, key, plaintext, 'SYMMETRIC_DEFAULT', input.EncryptionContext);
  stopIfDryRun(input.DryRun);
  return { plaintext, ciphertext: sealed.ciphertext, keyArn: arnOf(key), materialId: sealed.materialId };
}
