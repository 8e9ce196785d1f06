import { canonicalContext, open, parseBlob, seal } from '../keys/ciphertext.js';
import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import { keyArn } from '../util/arn.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-state.js';
import { currentMaterial, loadMaterial } from './material.js';
import { findKey } from './resolve.js';

type Context = Readonly<Record<string, string>> | undefined;

/** Symmetric encryption under a key's current material, in Trent's ciphertext blob (keys/ciphertext.ts). */
export async function sealUnder(ctx: OpContext, key: KeyRecord, plaintext: Buffer, context: Context): Promise<Buffer> {
  const { materialId, secret } = await currentMaterial(ctx.deps, key);
  return seal({ accountId: key.accountId, keyId: key.keyId, materialId }, secret, plaintext, canonicalContext(context));
}

const invalidCiphertext = () => new KmsError('InvalidCiphertextException', '');

/**
 * Opens a symmetric ciphertext blob: the blob names its key and material version, so no key is ever tried
 * in vain. `keyIdParam`, when given, must identify that same key (IncorrectKeyException otherwise). The key's
 * state is checked for `op`. Anything that does not authenticate is InvalidCiphertextException, with nothing
 * said about why.
 */
export async function openBlob(ctx: OpContext, op: OperationName, blob: Buffer, context: Context,
  keyIdParam: string | undefined): Promise<{ key: KeyRecord; plaintext: Buffer }> {
  const parsed = parseBlob(blob);
  const requested = keyIdParam === undefined ? undefined : await findKey(ctx, keyIdParam, { aliases: true });
  if (!parsed) {
    if (requested && !isSymmetricEncryption(requested)) throw incorrectKey();
    throw invalidCiphertext();
  }
  const key = await ctx.deps.store.getKey({ accountId: parsed.accountId, region: ctx.caller.region, keyId: parsed.keyId });
  if (requested && (!key || requested.keyId !== key.keyId || requested.accountId !== key.accountId)) throw incorrectKey();
  if (!key || !isSymmetricEncryption(key)) throw invalidCiphertext();
  checkKeyState(op, key.keyState, keyArn(key.region, key.accountId, key.keyId));
  const material = await loadMaterial(ctx.deps, key, parsed.materialId);
  const plaintext = material && open(parsed, material, canonicalContext(context));
  if (!plaintext) throw invalidCiphertext();
  return { key, plaintext };
}

export function isSymmetricEncryption(key: KeyRecord): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyUsage === 'ENCRYPT_DECRYPT';
}

export function incorrectKey(): KmsError {
  return new KmsError('IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.');
}
