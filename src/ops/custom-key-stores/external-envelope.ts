import { canonicalContext } from '../../keys/ciphertext.js';
import { externalAad, externalHeader, fitsExternalBlob, formatExternalBlob, type ExternalBlob } from '../../keys/external-ciphertext.js';
import type { KeyRecord } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import { callBacking, findCustomKeyStore, proxyTarget, requestMetadata } from './key-stores.js';
import { xksError } from './xks-errors.js';
import { XksCallError } from './xks-port.js';

type Context = Readonly<Record<string, string>> | undefined;

/**
 * The outer layer of a key in an external key store (keys/external-ciphertext.ts): `inner`, Trent's own
 * blob under the key's material, encrypted by the store's proxy with the key's external key.
 */
export async function sealExternally(ctx: OpContext, key: KeyRecord, inner: Buffer, context: Context): Promise<Buffer> {
  const header = externalHeader(key.accountId, key.keyId);
  const sealed = await proxyCall(ctx, key, 'Encrypt', (target, meta) =>
    ctx.deps.xks.encrypt(target, key.xksKeyId!, meta, inner, externalAad(header, canonicalContext(context))));
  if (!fitsExternalBlob(sealed.iv, sealed.tag, sealed.metadata)) throw xksError('InvalidResponse', 'crypto');
  return formatExternalBlob(header, sealed.iv, sealed.tag, sealed.metadata, sealed.ciphertext);
}

/** The inner blob of a version-2 blob, decrypted by the key's proxy. */
export async function openExternally(ctx: OpContext, key: KeyRecord, blob: ExternalBlob, context: Context): Promise<Buffer> {
  return proxyCall(ctx, key, 'Decrypt', (target, meta) =>
    ctx.deps.xks.decrypt(target, key.xksKeyId!, meta, blob, externalAad(blob.header, canonicalContext(context))));
}

async function proxyCall<T>(ctx: OpContext, key: KeyRecord, operation: string,
  call: (target: ReturnType<typeof proxyTarget>, meta: ReturnType<typeof requestMetadata>) => Promise<T>): Promise<T> {
  // The key-state table has already refused the key unless its store is connected.
  const s = await findCustomKeyStore(ctx, key.customKeyStoreId!);
  try {
    return await callBacking(ctx, s.customKeyStoreId, operation, () => call(proxyTarget(ctx.deps, s), requestMetadata(ctx, arnOf(key))));
  } catch (e) {
    throw e instanceof XksCallError ? xksError(e.failure, 'crypto') : e;
  }
}
