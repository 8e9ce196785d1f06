import { familyOf, requireAlgorithm } from '../../keys/crypto.js';
import { KmsError } from '../../model/errors.js';
import type { EncryptionAlgorithmSpec, OperationName } from '../../model/types.gen.js';
import type { KeyRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { incorrectKey, isSymmetricEncryption, openBlob, sealUnder } from '../envelope.js';
import { currentMaterial } from '../material.js';
import { resolveKey, type KeyUse } from '../resolve.js';
import { requireKeyUsage } from '../usage-check.js';

/**
 * Encryption and decryption with any key that can do them: symmetric keys through Trent's ciphertext blob
 * (ops/envelope.ts), RSA and SM2 keys through their family's public-key encryption. Encrypt, Decrypt and
 * ReEncrypt are thin handlers over these two functions, so each rule and each message lives here once.
 */

type Context = Readonly<Record<string, string>> | undefined;

export interface Sealed {
  readonly ciphertext: Buffer;
  readonly algorithm: EncryptionAlgorithmSpec;
  /** The material version a symmetric key encrypted with; absent for asymmetric keys, as in AWS's answers. */
  readonly materialId?: string | undefined;
}

export interface Opened {
  readonly key: KeyRecord;
  readonly plaintext: Buffer;
  readonly algorithm: EncryptionAlgorithmSpec;
  readonly materialId?: string | undefined;
}

export interface DecryptParams {
  /** The KeyId (or SourceKeyId) parameter: optional for symmetric ciphertexts, required for asymmetric ones. */
  readonly keyId: string | undefined;
  readonly algorithm: EncryptionAlgorithmSpec | undefined;
  readonly context: Context;
}

/** AWS's asymmetric encryption algorithms take no associated data, so a context would be silently unbound. */
function refuseContext(context: Context): void {
  if (context && Object.keys(context).length > 0) {
    throw new KmsError('ValidationException', 'EncryptionContext is not supported when encrypting/decrypting with asymmetric CMKs.');
  }
}

/** Whether `key` can encrypt with `algorithm` and `context`: everything encryptWith checks before the plaintext. */
export function checkEncryptable(key: KeyRecord, op: OperationName, algorithm: EncryptionAlgorithmSpec,
  context: Context): void {
  requireKeyUsage(key, 'ENCRYPT_DECRYPT', op);
  requireAlgorithm(key.keySpec, algorithm);
  if (!isSymmetricEncryption(key)) refuseContext(context);
}

/** Encrypts under `key` (already resolved and state-checked by the caller) with its current material. */
export async function encryptWith(ctx: OpContext, op: OperationName, key: KeyRecord, plaintext: Buffer,
  algorithm: EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT', context: Context = undefined): Promise<Sealed> {
  checkEncryptable(key, op, algorithm, context);
  if (isSymmetricEncryption(key)) {
    const { ciphertext, materialId } = await sealUnder(ctx, key, plaintext, context);
    return { ciphertext, algorithm, materialId };
  }
  const family = familyOf(key.keySpec);
  if (!family.encrypt) throw new Error(`the ${key.keySpec} family cannot encrypt`);
  const { secret } = await currentMaterial(ctx.deps, key);
  return { ciphertext: family.encrypt(key.keySpec, secret, algorithm, plaintext), algorithm };
}

/**
 * Decrypts a ciphertext. Without a key ID it must be a symmetric blob, which names its own key; with one,
 * the key (resolved for `op`) decides: a symmetric key opens the blob (which must name it), an RSA or SM2
 * encryption key decrypts with the algorithm given, and any other key is not one that can decrypt
 * (IncorrectKeyException, as AWS).
 */
export async function decryptWith(ctx: OpContext, use: OperationName | KeyUse, ciphertext: Buffer,
  params: DecryptParams): Promise<Opened> {
  const algorithm = params.algorithm ?? 'SYMMETRIC_DEFAULT';
  const requested = params.keyId === undefined ? undefined : await resolveKey(ctx, use, params.keyId, { aliases: true });
  if (!requested || isSymmetricEncryption(requested)) {
    requireAlgorithm('SYMMETRIC_DEFAULT', algorithm);
    const { key, plaintext, materialId } = await openBlob(ctx, use, ciphertext, params.context, requested);
    return { key, plaintext, algorithm, materialId };
  }
  if (requested.keyUsage !== 'ENCRYPT_DECRYPT') throw incorrectKey();
  requireAlgorithm(requested.keySpec, algorithm);
  refuseContext(params.context);
  const family = familyOf(requested.keySpec);
  if (!family.decrypt) throw new Error(`the ${requested.keySpec} family cannot decrypt`);
  const { secret } = await currentMaterial(ctx.deps, requested);
  return { key: requested, plaintext: family.decrypt(requested.keySpec, secret, algorithm, ciphertext), algorithm };
}

/**
 * DryRunModifiers IGNORE_CIPHERTEXT: only the key named by `keyIdParam` is checked (existence, state, usage),
 * as AWS checks only authorization then. The parameter is required in that case.
 */
export async function checkDecryptKey(ctx: OpContext, use: OperationName | KeyUse, keyIdParam: string | undefined,
  parameterName: string): Promise<void> {
  if (keyIdParam === undefined) {
    throw new KmsError('ValidationException', `${parameterName} is required when DryRunModifiers contains IGNORE_CIPHERTEXT.`);
  }
  const key = await resolveKey(ctx, use, keyIdParam, { aliases: true });
  requireKeyUsage(key, 'ENCRYPT_DECRYPT', typeof use === 'string' ? use : use.op);
}

/** A missing blob, worded as the model's own required-member check words it. */
export function requireCiphertext(blob: Buffer | undefined): Buffer {
  if (blob === undefined) {
    throw new KmsError('ValidationException',
      "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
  }
  return blob;
}
