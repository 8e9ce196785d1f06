import { VERSION, canonicalContext, open, parseBlob, seal, type ParsedBlob } from '../keys/ciphertext.js';
import { EXTERNAL_VERSION, parseExternalBlob } from '../keys/external-ciphertext.js';
import { HSM_VERSION, parseHsmBlob, type HsmBlob } from '../keys/hsm-ciphertext.js';
import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import type { OpContext } from './context.js';
import { openExternally, sealExternally } from './custom-key-stores/external-envelope.js';
import { openInHsm, sealInHsm } from './custom-key-stores/hsm-envelope.js';
import { proxyReturnedInvalidCiphertext } from './custom-key-stores/xks-errors.js';
import { currentMaterial, loadMaterial } from './material.js';
import { resolveKeyRef, type KeyUse } from './resolve.js';

type Context = Readonly<Record<string, string>> | undefined;

/**
 * Symmetric encryption under a key's current material, in Trent's ciphertext blob (keys/ciphertext.ts); for a
 * key in an external key store, that blob encrypted again by its proxy (keys/external-ciphertext.ts); for a key
 * in an AWS CloudHSM key store, encryption in its token (keys/hsm-ciphertext.ts), with no material in Trent.
 */
export async function sealUnder(ctx: OpContext, key: KeyRecord, plaintext: Buffer,
  context: Context): Promise<{ ciphertext: Buffer; materialId: string | undefined }> {
  if (key.origin === 'AWS_CLOUDHSM') return { ciphertext: await sealInHsm(ctx, key, plaintext, context), materialId: undefined };
  const { materialId, secret } = await currentMaterial(ctx.deps, key);
  const inner = seal({ accountId: key.accountId, keyId: key.keyId, materialId }, secret, plaintext, canonicalContext(context));
  const ciphertext = isExternal(key) ? await sealExternally(ctx, key, inner, context) : inner;
  return { ciphertext, materialId };
}

function isExternal(key: KeyRecord): boolean {
  return key.origin === 'EXTERNAL_KEY_STORE';
}

/** The blob version a key's ciphertexts have. */
function blobVersionOf(key: KeyRecord): number {
  return key.origin === 'AWS_CLOUDHSM' ? HSM_VERSION : isExternal(key) ? EXTERNAL_VERSION : VERSION;
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
  requested: KeyRecord | undefined): Promise<{ key: KeyRecord; plaintext: Buffer; materialId: string | undefined }> {
  const version = blob[0];
  const external = version === EXTERNAL_VERSION;
  const named = external ? parseExternalBlob(blob) : version === HSM_VERSION ? parseHsmBlob(blob) : parseBlob(blob);
  if (!named) throw invalidCiphertext();
  if (requested && (requested.keyId !== named.keyId || requested.accountId !== named.accountId)) throw incorrectKey();
  // Each blob version belongs to its keys: one key's ciphertext stripped of the proxy's layer is not a ciphertext.
  const accepts = (k: KeyRecord) => isSymmetricEncryption(k) && blobVersionOf(k) === version;
  const key = requested ?? await resolveKeyRef(ctx, use, { accountId: named.accountId, region: ctx.caller.region, keyId: named.keyId },
    { notFound: invalidCiphertext, accepts, resourceName: 'the resource associated with this ciphertext' });
  if (!accepts(key)) throw invalidCiphertext();
  if (version === HSM_VERSION) return { key, plaintext: await openInHsm(ctx, key, named as HsmBlob, context), materialId: undefined };
  let parsed: ParsedBlob | undefined;
  let badInner = invalidCiphertext;
  if (external) {
    parsed = parseBlob(await openExternally(ctx, key, parseExternalBlob(blob)!, context));
    // What the proxy gave back is not what Trent gave it: the spec's "proxy returns an invalid ciphertext".
    badInner = proxyReturnedInvalidCiphertext;
    if (parsed && (parsed.keyId !== key.keyId || parsed.accountId !== key.accountId)) throw badInner();
  } else {
    parsed = named as ParsedBlob;
  }
  if (!parsed) throw badInner();
  const material = await loadMaterial(ctx.deps, key, parsed.materialId);
  const plaintext = material && open(parsed, material, canonicalContext(context));
  if (!plaintext) throw badInner();
  return { key, plaintext, materialId: parsed.materialId };
}

export function isSymmetricEncryption(key: KeyRecord): boolean {
  return key.keySpec === 'SYMMETRIC_DEFAULT' && key.keyUsage === 'ENCRYPT_DECRYPT';
}

export function incorrectKey(): KmsError {
  return new KmsError('IncorrectKeyException',
    'The key ID in the request does not identify a CMK that can perform this operation.');
}
