import { X509Certificate } from 'node:crypto';
import { wrapIdentity } from '../../keys/root-key.js';
import { KmsError } from '../../model/errors.js';
import type { ConnectionErrorCodeType, CustomKeyStoreType } from '../../model/types.gen.js';
import type { CustomKeyStoreRecord, KeyRecord, StoreReads } from '../../store/types.js';
import type { Deps, OpContext } from '../context.js';
import { HsmCallError, type HsmFailure } from './hsm-port.js';

/**
 * AWS_CLOUDHSM key stores, backed by the PKCS#11 tokens Trent is configured with (TRENT_CLOUDHSM_TOKENS): the
 * CloudHsmClusterId names a token, the KeyStorePassword is its user PIN (kept wrapped under the root key).
 */
export function cloudHsmClusterNotFound(clusterId: string): KmsError {
  return new KmsError('CloudHsmClusterNotFoundException',
    `AWS KMS cannot find the AWS CloudHSM cluster with the specified cluster ID (${clusterId}).`);
}

/** Parameters of the other type of custom key store are refused, not ignored. */
export function refuseParams(given: readonly string[], type: CustomKeyStoreType): void {
  if (given.length > 0) {
    throw new KmsError('ValidationException', `${given.join(', ')} ${given.length === 1 ? 'is' : 'are'} not valid for a custom key store with a CustomKeyStoreType of ${type}.`);
  }
}

/** The cluster ID names a configured token, and no other store of the account uses it. */
export async function checkCluster(ctx: OpContext, reader: StoreReads, clusterId: string, self?: string): Promise<void> {
  if (!ctx.deps.hsm.has(clusterId)) throw cloudHsmClusterNotFound(clusterId);
  const stores = await reader.listCustomKeyStores(ctx.caller.accountId, ctx.caller.region, { limit: Number.MAX_SAFE_INTEGER });
  if (stores.some((s) => s.cloudHsmClusterId === clusterId && s.customKeyStoreId !== self)) {
    throw new KmsError('CloudHsmClusterInUseException',
      `The specified AWS CloudHSM cluster ${clusterId} is already associated with an AWS CloudHSM key store in the account.`);
  }
}

/** The trust anchor must be a certificate (AWS checks it is the cluster's; a token has none to compare). */
export function checkTrustAnchor(pem: string): void {
  try {
    new X509Certificate(pem);
  } catch {
    throw new KmsError('IncorrectTrustAnchorException',
      'The trust anchor certificate in the request is not a valid PEM-encoded X.509 certificate.');
  }
}

export function wrapPin(deps: Deps, s: Pick<CustomKeyStoreRecord, 'accountId' | 'customKeyStoreId'>, pin: string): string {
  return deps.root.wrap(wrapIdentity.customKeyStoreSecret(s.accountId, s.customKeyStoreId), Buffer.from(pin, 'utf8')).toString('base64');
}

export function pinOf(deps: Deps, s: CustomKeyStoreRecord): string {
  if (!s.wrappedPassword) throw new Error(`custom key store ${s.customKeyStoreId} has no password`);
  return deps.root.unwrap(wrapIdentity.customKeyStoreSecret(s.accountId, s.customKeyStoreId), Buffer.from(s.wrappedPassword, 'base64')).toString('utf8');
}

/** A failed connection's ConnectionErrorCode, in AWS's terms for a CloudHSM cluster. */
export function hsmConnectionErrorCode(failure: HsmFailure): ConnectionErrorCodeType {
  const codes: Partial<Record<HsmFailure, ConnectionErrorCodeType>> = {
    ClusterNotFound: 'CLUSTER_NOT_FOUND', TokenNotPresent: 'INSUFFICIENT_CLOUDHSM_HSMS', InvalidPin: 'INVALID_CREDENTIALS', PinLocked: 'USER_LOCKED_OUT',
  };
  return codes[failure] ?? 'INTERNAL_ERROR';
}

/** A token's failure during a cryptographic operation or CreateKey. */
export function hsmError(e: unknown, storeId: string): unknown {
  if (!(e instanceof HsmCallError)) return e;
  if (e.failure === 'BadCiphertext') return new KmsError('InvalidCiphertextException', '');
  return new KmsError('KMSInvalidStateException',
    `The AWS CloudHSM key store ${storeId} cannot use its cluster (${e.failure}). Verify that the cluster's token is present and that the key store password is its user PIN.`);
}

/**
 * Deletes a deleted key's material from its token, as AWS deletes it from the cluster. Only while the store is
 * connected: otherwise, as in AWS, the material stays in the token, named by no KMS key (never an error).
 */
export async function destroyInToken(deps: Deps, key: KeyRecord): Promise<void> {
  const s = await deps.store.getCustomKeyStore(key.accountId, key.region, key.customKeyStoreId!);
  if (s?.connectionState !== 'CONNECTED') return;
  try {
    await deps.hsm.destroyKey(s.cloudHsmClusterId!, pinOf(deps, s), key.keyId);
  } catch (e) {
    console.error(`custom key store ${s.customKeyStoreId}: the material of deleted key ${key.keyId} stays in its token: ${e instanceof Error ? e.message : String(e)}`);
  }
}
