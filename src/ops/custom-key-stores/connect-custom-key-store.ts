import type { Handler } from '../context.js';
import type { CustomKeyStoreRecord } from '../../store/types.js';
import type { ConnectionErrorCodeType } from '../../model/types.gen.js';
import type { OpContext } from '../context.js';
import { hsmConnectionErrorCode, pinOf } from './cloudhsm.js';
import { HsmCallError } from './hsm-port.js';
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
  const failure = await tryConnection(ctx, current);
  await ctx.transaction(async (tx) => {
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId, tx);
    checkConnectable(s.connectionState);
    if (s.connectionState === 'CONNECTED') return;
    s.connectionState = failure ? 'FAILED' : 'CONNECTED';
    s.connectionErrorCode = failure;
    await tx.updateCustomKeyStore(s);
    if (!failure) await setKeysAvailable(tx, s, true);
  });
  return {};
};

/** Reaches the store's backing: the proxy's GetHealthStatus, or a login to the token. The ConnectionErrorCode of a failure. */
async function tryConnection(ctx: OpContext, s: CustomKeyStoreRecord): Promise<ConnectionErrorCodeType | undefined> {
  try {
    if (s.type === 'AWS_CLOUDHSM') await ctx.deps.hsm.connect(s.cloudHsmClusterId!, pinOf(ctx.deps, s));
    else await checkProxyHealth(ctx, s.customKeyStoreId, proxyTarget(ctx.deps, s));
    return undefined;
  } catch (e) {
    if (e instanceof XksCallError) return connectionErrorCode(e.failure);
    if (e instanceof HsmCallError) return hsmConnectionErrorCode(e.failure);
    throw e;
  }
}

function checkConnectable(state: string): void {
  if (state === 'DISCONNECTING' || state === 'FAILED') {
    throw storeStateError(`The custom key store is ${state}. To connect a custom key store that is ${state}, disconnect it (DisconnectCustomKeyStore), then connect it.`);
  }
}
