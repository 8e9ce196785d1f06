import { canonicalContext, open, parseBlob, seal } from '../keys/ciphertext.js';
import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import type { OpContext } from './context.js';
import { currentMaterial, loadMaterial } from './material.js';
import { resolveKeyRef, type KeyUse } from './resolve.js';

type Context = Readonly<Record<string, string>> | undefined;

/** Symmetric encryption under a key's current material, in Trent's ciphertext blob (keys/ciphertext.ts). */
export async function sealUnder(ctx: OpContext, key: KeyRecord, plaintext: Buffer,
  context: Context): Promise<{ ciphertext: Buffer; materialId: string }> {
  const { materialId, secret } = await currentMaterial(ctx.deps, key);
  const ciphertext = seal({ accountId: key.accountId, keyId: key.keyId, materialId }, secret, plaintext, canonicalContext(context));
  return { ciphertext, materialId };
}

const invalidCiphertext = () => new KmsError('InvalidCiphertextException', '');

/**
 * Opens a symmetric ciphertext blob: the blob names its key and material version, so no key is ever tried
 * in vain. `requested`, the key the caller named (if any, already resolved for `use`), must be that same key
 * (IncorrectKeyException otherwise); naming it saves the store read of the blob's key. Otherwise the blob's
 * key is resolved for `use` here. Anything that does not authenticate, including a blob naming a key that does
 * not exist or is not a symmetric encryption key, is InvalidCiphertextException, with nothing said about why.
 */
export async function openBlob(ctx: OpContext, use: OperationName | KeyUse, blob: Buffer, context: Context,
  requested: KeyRecord | undefined): Promise<{ key: KeyRecord; plaintext: Buffer; materialId: string }> {
  const parsed = parseBlob(blob);
  if (!parsed) throw invalidCiphertext();
  if (requested && (requested.keyId !== parsed.keyId || requested.accountId !== parsed.accountId)) throw incorrectKey();
  const key = requested ?? await resolveKeyRef(ctx, use, { accountId: parsed.accountId, region: ctx.caller.region, keyId: parsed.keyId },
    { notFound: invalidCiphertext, accepts: isSymmetricEncryption, resourceName: 'the resource associated with this ciphertext' });
  const material = await loadMaterial(ctx.deps, key, parsed.materialId);
  const plaintext = material && open(parsed, material, canonicalContext(context));
  if (!plaintext) throw invalidCiphertext();
  return { key, plaintext, materialId: parsed.materialId };
}

export function isSymmetricEncryption(key: KeyRecord): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyUsage === 'ENCRYPT_DECRYPT';
}

export function incorrectKey(): KmsError {
  return new KmsError('IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.');
}
