import { KmsError } from '../../model/errors.js';
import type { CreateKeyRequest, OriginType } from '../../model/types.gen.js';
import type { CustomKeyStoreRecord, StoreReads } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { hsmError, pinOf } from './cloudhsm.js';
import { callBacking, findCustomKeyStore, proxyTarget, requestMetadata, storeStateError } from './key-stores.js';
import { xksError } from './xks-errors.js';
import { XksCallError } from './xks-port.js';

const NOT_CONNECTED = 'This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.';

/**
 * What CreateKey checks of the custom key store a new key goes into: it exists, has the key's origin, is
 * connected; for an external key store, the external key is not already another key's in the store and the
 * proxy's GetKeyMetadata shows an enabled AES-256 key that can encrypt and decrypt.
 */
export async function checkKeyStoreForNewKey(ctx: OpContext, input: CreateKeyRequest, origin: OriginType): Promise<CustomKeyStoreRecord> {
  const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId!);
  if (s.type !== origin) {
    throw new KmsError('ValidationException', `Custom key store ${s.customKeyStoreId} has CustomKeyStoreType ${s.type}; it cannot hold a KMS key with an Origin of ${origin}.`);
  }
  await recheckKeyStore(ctx.deps.store, s, input.XksKeyId);
  if (s.type === 'EXTERNAL_KEY_STORE') await checkExternalKey(ctx, s, input.XksKeyId!);
  return s;
}

/** The checks that read only the store, repeated in CreateKey's transaction. */
export async function recheckKeyStore(reader: StoreReads, store: CustomKeyStoreRecord, xksKeyId: string | undefined): Promise<void> {
  const s = await reader.getCustomKeyStore(store.accountId, store.region, store.customKeyStoreId);
  if (!s || s.connectionState !== 'CONNECTED') {
    throw storeStateError(store.type === 'EXTERNAL_KEY_STORE' ? NOT_CONNECTED : `The custom key store ${store.customKeyStoreId} is not connected.`);
  }
  if (xksKeyId !== undefined && (await reader.keysInCustomKeyStore(s.accountId, s.region, s.customKeyStoreId, 1, xksKeyId)).length > 0) {
    throw new KmsError('XksKeyAlreadyInUseException',
      `The external key ${xksKeyId} is already associated with a KMS key in this external key store. Each KMS key in an external key store must be associated with a different external key.`);
  }
}

async function checkExternalKey(ctx: OpContext, s: CustomKeyStoreRecord, xksKeyId: string): Promise<void> {
  let metadata;
  try {
    metadata = await callBacking(ctx, s.customKeyStoreId, 'GetKeyMetadata',
      () => ctx.deps.xks.getKeyMetadata(proxyTarget(ctx.deps, s), xksKeyId, requestMetadata(ctx)));
  } catch (e) {
    throw e instanceof XksCallError ? xksError(e.failure, 'createKey') : e;
  }
  const invalid = (why: string) => new KmsError('XksKeyInvalidConfigurationException',
    `The external key ${xksKeyId} cannot back a KMS key: ${why}`);
  if (metadata.keySpec !== 'AES_256') throw invalid(`its key spec is ${metadata.keySpec}, not AES_256.`);
  if (!metadata.keyUsage.includes('ENCRYPT') || !metadata.keyUsage.includes('DECRYPT')) {
    throw invalid('it must support both ENCRYPT and DECRYPT.');
  }
  if (metadata.keyStatus !== 'ENABLED') throw invalid('it is not enabled in the external key manager.');
}

/**
 * A new key's material in the token of its AWS CloudHSM key store, named by the key ID. Made before the
 * transaction that records the key: if that fails, the token keeps a key no KMS key names, which nothing uses.
 */
export async function generateInToken(ctx: OpContext, s: CustomKeyStoreRecord, keyId: string): Promise<void> {
  try {
    await callBacking(ctx, s.customKeyStoreId, 'GenerateKey', () => ctx.deps.hsm.generateKey(s.cloudHsmClusterId!, pinOf(ctx.deps, s), keyId));
  } catch (e) {
    const error = hsmError(e, s.customKeyStoreId);
    throw error instanceof KmsError ? new KmsError('CloudHsmClusterInvalidConfigurationException', error.message) : error;
  }
}
