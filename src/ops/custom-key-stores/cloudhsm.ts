import { KmsError } from '../../model/errors.js';
import type { CustomKeyStoreType } from '../../model/types.gen.js';

/**
 * AWS_CLOUDHSM key stores. Trent would back one with a PKCS#11 token configured for it; no token can be
 * configured yet, so every CloudHsmClusterId names a cluster Trent cannot find, as AWS answers for one that
 * does not exist.
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
