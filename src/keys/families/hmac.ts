import { createHmac, randomBytes } from 'node:crypto';

import type { KeySpec, MacAlgorithmSpec } from '../../model/types.gen.js';
import { requireAlgorithm } from '../algorithms.js';
import { incorrectMaterial, type KeyFamily } from '../family.js';

/**
 * Key length per HMAC spec: the digest length of its hash, as AWS generates them; imported keys may be longer,
 * up to the hash's block size (AWS's requirements for imported HMAC key material).
 */
const KEY_BYTES: Partial<Record<KeySpec, { generated: number; importedMax: number }>> = {
  HMAC_224: { generated: 28, importedMax: 64 },
  HMAC_256: { generated: 32, importedMax: 64 },
  HMAC_384: { generated: 48, importedMax: 128 },
  HMAC_512: { generated: 64, importedMax: 128 },
};

function lengthsOf(spec: KeySpec): { generated: number; importedMax: number } {
  const lengths = KEY_BYTES[spec];
  if (lengths === undefined) throw new Error(`${spec} is not an HMAC key spec`);
  return lengths;
}

const HASH: Readonly<Record<MacAlgorithmSpec, string>> = {
  HMAC_SHA_224: 'sha224', HMAC_SHA_256: 'sha256', HMAC_SHA_384: 'sha384', HMAC_SHA_512: 'sha512',
};

export const hmac: KeyFamily = {
  async generate(spec) {
    return randomBytes(lengthsOf(spec).generated);
  },

  importMaterial(spec, imported) {
    const { generated: min, importedMax: max } = lengthsOf(spec);
    if (imported.length < min || imported.length > max) {
      throw incorrectMaterial(spec, `it must be ${min} to ${max} bytes, not ${imported.length}`);
    }
    return Buffer.from(imported);
  },

  mac(spec, material, algorithm, message) {
    requireAlgorithm(spec, algorithm);
    return createHmac(HASH[algorithm], material).update(message).digest();
  },
};
