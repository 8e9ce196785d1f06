import { StoreConflictError } from '../../store/types.js';
import type { Handler } from '../context.js';
import { KmsError } from '../../model/errors.js';
import { checkCluster, refuseParams, wrapPin } from './cloudhsm.js';
import { nameInUse } from './create-custom-key-store.js';
import { checkProxyHealth, findCustomKeyStore, proxyTarget, storeStateError, wrapStoreSecret } from './key-stores.js';
import { checkProxyUnique, givenProxyParams, updatedProxySettings } from './proxy-settings.js';
import { xksError } from './xks-errors.js';
import { XksCallError } from './xks-port.js';

/** What an external key store must be disconnected to change (its name, URI path and credential may change while connected). */
const NEEDS_DISCONNECT = ['XksProxyUriEndpoint', 'XksProxyConnectivity', 'XksProxyVpcEndpointServiceName', 'XksProxyVpcEndpointServiceOwner'];

/**
 * UpdateCustomKeyStore. New proxy settings are checked as CreateCustomKeyStore checks them (unique address, a
 * GetHealthStatus with the new credential) before anything is written. An AWS CloudHSM key store must be
 * disconnected; its new cluster ID must name the same token (a "related" cluster).
 */
export const updateCustomKeyStore: Handler<'UpdateCustomKeyStore'> = async (input, ctx) => {
  const current = await findCustomKeyStore(ctx, input.CustomKeyStoreId);
  const given = givenProxyParams(input);
  const updated = { ...current };
  if (input.NewCustomKeyStoreName !== undefined) updated.name = input.NewCustomKeyStoreName;
  if (current.type === 'AWS_CLOUDHSM') {
    refuseParams(given, current.type);
    if (current.connectionState !== 'DISCONNECTED') throw storeStateError('An AWS CloudHSM key store must be disconnected to be updated.');
    if (input.CloudHsmClusterId !== undefined && input.CloudHsmClusterId !== current.cloudHsmClusterId) {
      await checkCluster(ctx, ctx.deps.store, input.CloudHsmClusterId, current.customKeyStoreId);
      if (!ctx.deps.hsm.sameToken(current.cloudHsmClusterId!, input.CloudHsmClusterId)) {
        throw new KmsError('CloudHsmClusterNotRelatedException',
          `The AWS CloudHSM cluster ${input.CloudHsmClusterId} is not related to the key store's cluster: it is not the same token.`);
      }
      updated.cloudHsmClusterId = input.CloudHsmClusterId;
    }
    if (input.KeyStorePassword !== undefined) updated.wrappedPassword = wrapPin(ctx.deps, current, input.KeyStorePassword);
  } else {
    refuseParams(['CloudHsmClusterId', 'KeyStorePassword'].filter((p) => input[p as 'CloudHsmClusterId' | 'KeyStorePassword'] !== undefined), current.type);
  }
  if (current.connectionState !== 'DISCONNECTED' && given.some((p) => NEEDS_DISCONNECT.includes(p))) {
    throw storeStateError(`To update ${given.filter((p) => NEEDS_DISCONNECT.includes(p)).join(', ')}, disconnect the external key store first.`);
  }
  if (current.type === 'EXTERNAL_KEY_STORE' && given.length > 0) {
    const settings = updatedProxySettings(current.xksProxy!, input);
    await checkProxyUnique(ctx.deps.store, current.accountId, current.region, settings, current.customKeyStoreId);
    updated.xksProxy = {
      uriEndpoint: settings.uriEndpoint, uriPath: settings.uriPath, connectivity: settings.connectivity,
      vpcEndpointServiceName: settings.vpcEndpointServiceName, vpcEndpointServiceOwner: settings.vpcEndpointServiceOwner,
      accessKeyId: settings.credential.accessKeyId,
      wrappedSecret: settings.credential.secret === undefined
        ? current.xksProxy!.wrappedSecret
        : wrapStoreSecret(ctx.deps, current.accountId, current.customKeyStoreId, settings.credential.secret),
    };
    try {
      await checkProxyHealth(ctx, current.customKeyStoreId, proxyTarget(ctx.deps, updated));
    } catch (e) {
      throw e instanceof XksCallError ? xksError(e.failure, 'manageStore') : e;
    }
  }
  await ctx.transaction(async (tx) => {
    // The connection state is the locked read's: a connect or disconnect meanwhile is kept.
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId, tx);
    const needsDisconnect = s.type === 'AWS_CLOUDHSM' || given.some((p) => NEEDS_DISCONNECT.includes(p));
    if (s.connectionState !== 'DISCONNECTED' && needsDisconnect) {
      throw storeStateError('The custom key store was connected meanwhile: disconnect it first.');
    }
    try {
      await tx.updateCustomKeyStore({ ...updated, connectionState: s.connectionState, connectionErrorCode: s.connectionErrorCode });
    } catch (e) {
      throw e instanceof StoreConflictError ? nameInUse() : e;
    }
  });
  return {};
};
