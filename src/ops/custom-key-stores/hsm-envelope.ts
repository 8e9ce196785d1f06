import { canonicalContext } from '../../keys/ciphertext.js';
import { externalAad } from '../../keys/external-ciphertext.js';
import { formatHsmBlob, hsmHeader, type HsmBlob } from '../../keys/hsm-ciphertext.js';
import type { KeyRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { hsmError, pinOf } from './cloudhsm.js';
import { callBacking, findCustomKeyStore } from './key-stores.js';

type Context = Readonly<Record<string, string>> | undefined;

/** Encrypts in the token of the key's AWS CloudHSM key store, under the key the token holds (keys/hsm-ciphertext.ts). */
export async function sealInHsm(ctx: OpContext, key: KeyRecord, plaintext: Buffer, context: Context): Promise<Buffer> {
  const header = hsmHeader(key.accountId, key.keyId);
  const sealed = await tokenCall(ctx, key, 'Encrypt', (clusterId, pin) =>
    ctx.deps.hsm.encrypt(clusterId, pin, key.keyId, plaintext, externalAad(header, canonicalContext(context))));
  return formatHsmBlob(header, sealed.iv, sealed.ciphertext);
}

export async function openInHsm(ctx: OpContext, key: KeyRecord, blob: HsmBlob, context: Context): Promise<Buffer> {
  return tokenCall(ctx, key, 'Decrypt', (clusterId, pin) =>
    ctx.deps.hsm.decrypt(clusterId, pin, key.keyId, blob, externalAad(blob.header, canonicalContext(context))));
}

/** A token call for `key`, in the request's audit record with its latency and outcome like a proxy call. */
async function tokenCall<T>(ctx: OpContext, key: KeyRecord, operation: string, call: (clusterId: string, pin: string) => Promise<T>): Promise<T> {
  const s = await findCustomKeyStore(ctx, key.customKeyStoreId!);
  try {
    return await callBacking(ctx, s.customKeyStoreId, operation, () => call(s.cloudHsmClusterId!, pinOf(ctx.deps, s)));
  } catch (e) {
    throw hsmError(e, s.customKeyStoreId);
  }
}
