import { wrapIdentity } from '../../keys/root-key.js';
import { KmsError } from '../../model/errors.js';
import type { CustomKeyStoresListEntry } from '../../model/types.gen.js';
import type { CustomKeyStoreRecord, KeyRecord, StoreOps, StoreReads } from '../../store/types.js';
import type { Deps, OpContext } from '../context.js';
import { HsmCallError } from './hsm-port.js';
import { XksCallError, type XksProxyTarget, type XksRequestMetadata } from './xks-port.js';

/** The rules the six custom key store operations, CreateKey, GenerateRandom and the envelope share. */

export function customKeyStoreNotFound(): KmsError {
  return new KmsError('CustomKeyStoreNotFoundException',
    'The request was rejected because AWS KMS cannot find a custom key store with the specified key store name or ID.');
}

/** The caller's custom key store of that ID (read in `reader`: the store, or a transaction that will write it). */
export async function findCustomKeyStore(ctx: OpContext, id: string, reader: StoreReads = ctx.deps.store): Promise<CustomKeyStoreRecord> {
  const record = await reader.getCustomKeyStore(ctx.caller.accountId, ctx.caller.region, id);
  if (!record) throw customKeyStoreNotFound();
  return record;
}

/** DescribeCustomKeyStores' entry: each type's own fields, ConnectionErrorCode only when FAILED. */
export function storeEntry(s: CustomKeyStoreRecord): CustomKeyStoresListEntry {
  const proxy = s.xksProxy;
  return {
    CustomKeyStoreId: s.customKeyStoreId,
    CustomKeyStoreName: s.name,
    CustomKeyStoreType: s.type,
    ConnectionState: s.connectionState,
    ConnectionErrorCode: s.connectionState === 'FAILED' ? s.connectionErrorCode : undefined,
    CreationDate: s.createdAt,
    CloudHsmClusterId: s.cloudHsmClusterId,
    TrustAnchorCertificate: s.trustAnchorCertificate,
    XksProxyConfiguration: proxy && {
      Connectivity: proxy.connectivity,
      AccessKeyId: proxy.accessKeyId,
      UriEndpoint: proxy.uriEndpoint,
      UriPath: proxy.uriPath,
      VpcEndpointServiceName: proxy.vpcEndpointServiceName,
      VpcEndpointServiceOwner: proxy.vpcEndpointServiceOwner,
    },
  };
}

export function wrapStoreSecret(deps: Deps, accountId: string, id: string, secret: string): string {
  return deps.root.wrap(wrapIdentity.customKeyStoreSecret(accountId, id), Buffer.from(secret, 'utf8')).toString('base64');
}

/** Where the store's proxy is, with its secret unwrapped for signing. */
export function proxyTarget(deps: Deps, s: CustomKeyStoreRecord): XksProxyTarget {
  const proxy = s.xksProxy;
  if (!proxy) throw new Error(`custom key store ${s.customKeyStoreId} has no XKS proxy`);
  const secret = deps.root.unwrap(wrapIdentity.customKeyStoreSecret(s.accountId, s.customKeyStoreId), Buffer.from(proxy.wrappedSecret, 'base64'));
  return { uriEndpoint: proxy.uriEndpoint, uriPath: proxy.uriPath, accessKeyId: proxy.accessKeyId, secretAccessKey: secret.toString('utf8'), region: s.region };
}

/** requestMetadata for a call made by this request (kmsKeyArn when a key is involved). */
export function requestMetadata(ctx: OpContext, kmsKeyArn?: string): XksRequestMetadata {
  return { kmsRequestId: ctx.requestId, kmsOperation: ctx.operation, awsPrincipalArn: ctx.caller.principalArn, kmsKeyArn };
}

/** Makes one call to a store's backing (proxy or token), noting its latency and outcome for the request's audit record. */
export async function callBacking<T>(ctx: OpContext, storeId: string, operation: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const note = (outcome: string) => ctx.externalCalls.push({
    customKeyStoreId: storeId, operation, latencyMs: Math.round((performance.now() - started) * 10) / 10, outcome,
  });
  try {
    const value = await call();
    note('Success');
    return value;
  } catch (e) {
    note(e instanceof XksCallError || e instanceof HsmCallError ? e.failure : 'Error');
    throw e;
  }
}

/**
 * GetHealthStatus, as Create/Update/ConnectCustomKeyStore call it. A proxy that answers but reports every
 * external key manager UNAVAILABLE cannot serve keys: AWS treats it as not reachable.
 */
export async function checkProxyHealth(ctx: OpContext, storeId: string, target: XksProxyTarget): Promise<void> {
  const health = await callBacking(ctx, storeId, 'GetHealthStatus',
    () => ctx.deps.xks.getHealthStatus(target, { kmsRequestId: ctx.requestId, kmsOperation: ctx.operation }));
  if (health.ekmStatuses.every((s) => s === 'UNAVAILABLE')) {
    throw new XksCallError('Unreachable', 'every external key manager of the proxy is UNAVAILABLE');
  }
}

/**
 * Makes the store's keys Unavailable (on disconnecting) or available again in the state they had, or were
 * given meanwhile by EnableKey or DisableKey (on connecting). Keys pending deletion keep that state either way
 * (the key-state table's footnote [13]).
 */
export async function setKeysAvailable(tx: StoreOps, s: CustomKeyStoreRecord, available: boolean): Promise<void> {
  const keys = await tx.keysInCustomKeyStore(s.accountId, s.region, s.customKeyStoreId, Number.MAX_SAFE_INTEGER);
  for (const key of keys) {
    if (available && key.keyState === 'Unavailable') {
      key.keyState = key.stateWhenAvailable ?? 'Enabled';
      key.stateWhenAvailable = undefined;
    } else if (!available && (key.keyState === 'Enabled' || key.keyState === 'Disabled')) {
      key.stateWhenAvailable = key.keyState;
      key.keyState = 'Unavailable';
    } else {
      continue;
    }
    await tx.updateKey(key);
  }
}

/** Whether the custom key store of `key` is connected (its keys are available). */
export async function isStoreConnected(reader: StoreReads, key: KeyRecord): Promise<boolean> {
  const s = await reader.getCustomKeyStore(key.accountId, key.region, key.customKeyStoreId!);
  return s?.connectionState === 'CONNECTED';
}

/** The exception AWS answers for an operation the store's connection state does not allow. */
export function storeStateError(message: string): KmsError {
  return new KmsError('CustomKeyStoreInvalidStateException', message);
}
