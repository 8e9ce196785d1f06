import { KmsError } from '../../model/errors.js';
import type { CreateCustomKeyStoreRequest } from '../../model/types.gen.js';
import { StoreConflictError, type CustomKeyStoreRecord, type StoreReads } from '../../store/types.js';
import { newCustomKeyStoreId } from '../../util/ids.js';
import type { Handler, OpContext } from '../context.js';
import { checkCluster, checkTrustAnchor, refuseParams, wrapPin } from './cloudhsm.js';
import { HsmCallError } from './hsm-port.js';
import { checkProxyHealth, proxyTarget, wrapStoreSecret } from './key-stores.js';
import { checkProxyUnique, givenProxyParams, proxySettingsOf } from './proxy-settings.js';
import { xksError } from './xks-errors.js';
import { XksCallError } from './xks-port.js';

/** AWS's quota of custom key stores per account and Region. */
const STORES_PER_REGION = 10;

/**
 * CreateCustomKeyStore. The store starts DISCONNECTED, as in AWS. An external key store's proxy must answer
 * GetHealthStatus with the credentials given before the store is recorded; its failures map as the XKS spec
 * says. An AWS_CLOUDHSM store names a PKCS#11 token Trent is configured with (its CloudHsmClusterId), which
 * must be present; the password (the token's user PIN) is tried when the store connects, as AWS does.
 */
export const createCustomKeyStore: Handler<'CreateCustomKeyStore'> = async (input, ctx) => {
  const type = input.CustomKeyStoreType ?? 'AWS_CLOUDHSM';
  const id = newCustomKeyStoreId();
  const record: CustomKeyStoreRecord = {
    accountId: ctx.caller.accountId, region: ctx.caller.region, customKeyStoreId: id, name: input.CustomKeyStoreName, type, createdAt: ctx.now, connectionState: 'DISCONNECTED',
  };
  if (type === 'AWS_CLOUDHSM') await prepareCloudHsm(ctx, input, record);
  else await prepareExternal(ctx, input, record);
  await ctx.transaction(async (tx) => {
    // Again, in the transaction: another request may have taken the name, the cluster or the last place meanwhile.
    await checkNewStore(ctx, tx, input);
    if (record.cloudHsmClusterId !== undefined) await checkCluster(ctx, tx, record.cloudHsmClusterId);
    try {
      await tx.insertCustomKeyStore(record);
    } catch (e) {
      throw e instanceof StoreConflictError ? nameInUse() : e;
    }
  });
  return { CustomKeyStoreId: id };
};

/** An AWS_CLOUDHSM store's parameters checked and kept: the cluster's token, the trust anchor, the PIN wrapped. */
async function prepareCloudHsm(ctx: OpContext, input: CreateCustomKeyStoreRequest, record: CustomKeyStoreRecord): Promise<void> {
  refuseParams(givenProxyParams(input), 'AWS_CLOUDHSM');
  for (const p of ['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'] as const) {
    if (input[p] === undefined) throw new KmsError('ValidationException', `${p} is required for a custom key store with a CustomKeyStoreType of AWS_CLOUDHSM.`);
  }
  const clusterId = input.CloudHsmClusterId!;
  await checkNewStore(ctx, ctx.deps.store, input);
  await checkCluster(ctx, ctx.deps.store, clusterId);
  checkTrustAnchor(input.TrustAnchorCertificate!);
  await checkTokenPresent(ctx, clusterId, input.KeyStorePassword!);
  record.cloudHsmClusterId = clusterId;
  record.trustAnchorCertificate = input.TrustAnchorCertificate;
  record.wrappedPassword = wrapPin(ctx.deps, record, input.KeyStorePassword!);
}

/** An EXTERNAL_KEY_STORE's proxy settings checked and kept, once the proxy answers GetHealthStatus with them. */
async function prepareExternal(ctx: OpContext, input: CreateCustomKeyStoreRequest, record: CustomKeyStoreRecord): Promise<void> {
  refuseParams(['CloudHsmClusterId', 'TrustAnchorCertificate', 'KeyStorePassword'].filter((p) => input[p as keyof CreateCustomKeyStoreRequest] !== undefined),
    'EXTERNAL_KEY_STORE');
  const settings = proxySettingsOf(input);
  await checkNewStore(ctx, ctx.deps.store, input);
  await checkProxyUnique(ctx.deps.store, record.accountId, record.region, settings);
  record.xksProxy = {
    uriEndpoint: settings.uriEndpoint, uriPath: settings.uriPath, connectivity: settings.connectivity,
    vpcEndpointServiceName: settings.vpcEndpointServiceName, vpcEndpointServiceOwner: settings.vpcEndpointServiceOwner,
    accessKeyId: settings.credential.accessKeyId,
    wrappedSecret: wrapStoreSecret(ctx.deps, record.accountId, record.customKeyStoreId, settings.credential.secret!),
  };
  try {
    await checkProxyHealth(ctx, record.customKeyStoreId, proxyTarget(ctx.deps, record));
  } catch (e) {
    throw e instanceof XksCallError ? xksError(e.failure, 'manageStore') : e;
  }
}

/** An active cluster: its token is there. A wrong PIN is for ConnectCustomKeyStore to find (INVALID_CREDENTIALS). */
async function checkTokenPresent(ctx: OpContext, clusterId: string, pin: string): Promise<void> {
  try {
    await ctx.deps.hsm.connect(clusterId, pin);
  } catch (e) {
    if (!(e instanceof HsmCallError)) throw e;
    if (e.failure !== 'InvalidPin' && e.failure !== 'PinLocked') {
      throw new KmsError('CloudHsmClusterNotActiveException',
        `The AWS CloudHSM cluster ${clusterId} is not active: its PKCS#11 token cannot be used (${e.failure}).`);
    }
  } finally {
    await ctx.deps.hsm.disconnect(clusterId);
  }
}

export function nameInUse(): KmsError {
  return new KmsError('CustomKeyStoreNameInUseException',
    'The request was rejected because the specified custom key store name is already assigned to another custom key store in the account. Try again with a custom key store name that is unique in the account.');
}

/** The name is the account's only one in the Region, and the account has room for another store. */
async function checkNewStore(ctx: OpContext, reader: StoreReads, input: CreateCustomKeyStoreRequest): Promise<void> {
  const stores = await reader.listCustomKeyStores(ctx.caller.accountId, ctx.caller.region, { limit: Number.MAX_SAFE_INTEGER });
  if (stores.some((s) => s.name === input.CustomKeyStoreName)) throw nameInUse();
  if (stores.length >= STORES_PER_REGION) {
    throw new KmsError('LimitExceededException',
      `Custom key store quota for this account in this region is ${STORES_PER_REGION} but the current usage is ${stores.length}.`);
  }
}
