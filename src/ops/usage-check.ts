import { KmsError } from '../model/errors.js';
import type { KeyUsageType, OperationName } from '../model/types.gen.js';
import type { KeyRecord } from '../store/types.js';
import { arnOf } from '../util/arn.js';

/**
 * Refuses a key whose KeyUsage is not the one `op` needs, with AWS's error and text (recorded:
 * "<key-arn> key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret."). Every operation that
 * uses a key cryptographically calls this right after resolving it, so the rule and its text live here only.
 */
export function requireKeyUsage(key: KeyRecord, usage: KeyUsageType, op: OperationName): void {
  if (key.keyUsage === usage) return;
  throw new KmsError('InvalidKeyUsageException',
    `${arnOf(key)} key usage is ${key.keyUsage} which is not valid for ${op}.`);
}
