import type { Handler } from '../context.js';
import { cloudHsmClusterNotFound } from './cloudhsm.js';
import { checkProxyHealth, findCustomKeyStore, proxyTarget, setKeysAvailable, storeStateError } from './key-stores.js';
import { connectionErrorCode } from './xks-errors.js';
import { XksCallError } from './xks-port.js';

/**
 * ConnectCustomKeyStore. AWS connects in the background and answers at once; Trent connects before it
 * answers (one GetHealthStatus), so the request still succeeds when the connection fails, and the store is
 * then FAILED with its ConnectionErrorCode, as DescribeCustomKeyStores shows. Connecting a connected store
 * does nothing; a FAILED one must be disconnected first, as in AWS.
 */
export const connectCustomKeyStore: Handler<'ConnectCustomKeyStore'> = async (input, ctx) => {
  const current = await findCustomKeyStore(ctx, input.CustomKeyStoreId);
  checkConnectable(current.connectionState);
  if (current.connectionState === 'CONNECTED') return {};
  if (current.type === 'AWS_CLOUDHSM') throw cloudHsmClusterNotFound(current.cloudHsmClusterId ?? '');
  let failure: XksCallError | undefined;
  try {
    await checkProxyHealth(ctx, current.customKeyStoreId, proxyTarget(ctx.deps, current));
  } catch (e) {
    if (!(e instanceof XksCallError)) throw e;
    failure = e;
  }
  await ctx.transaction(async (tx) => {
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId, tx);
    checkConnectable(s.connectionState);
    if (s.connectionState === 'CONNECTED') return;
    s.connectionState = failure ? 'FAILED' : 'CONNECTED';
    s.connectionErrorCode = failure ? connectionErrorCode(failure.failure) : undefined;
    await tx.updateCustomKeyStore(s);
    if (!failure) await setKeysAvailable(tx, s, true);
  });
  return {};
};

function checkConnectable(state: string): void {
  if (state === 'DISCONNECTING' || state === 'FAILED') {
    throw storeStateError(`The custom key store is ${state}. To connect a custom key store that is ${state}, disconnect it (DisconnectCustomKeyStore), then connect it.`);
  }
}
