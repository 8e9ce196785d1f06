import type { Handler } from '../context.js';
import { findCustomKeyStore, setKeysAvailable, storeStateError } from './key-stores.js';

/** DisconnectCustomKeyStore: the store is DISCONNECTED at once, and its keys Unavailable until it connects again. */
export const disconnectCustomKeyStore: Handler<'DisconnectCustomKeyStore'> = async (input, ctx) => {
  const store = await ctx.transaction(async (tx) => {
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId, tx);
    if (s.connectionState === 'DISCONNECTED' || s.connectionState === 'DISCONNECTING') {
      throw storeStateError(`The custom key store is already ${s.connectionState}.`);
    }
    s.connectionState = 'DISCONNECTED';
    s.connectionErrorCode = undefined;
    await tx.updateCustomKeyStore(s);
    await setKeysAvailable(tx, s, false);
    return s;
  });
  // This process's session with the token goes; other processes' stay unused, the store being disconnected.
  if (store.cloudHsmClusterId !== undefined) await ctx.deps.hsm.disconnect(store.cloudHsmClusterId);
  return {};
};
