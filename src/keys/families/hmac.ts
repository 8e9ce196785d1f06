import { createHmac, randomBytes } from 'node:crypto';

import type { KeySpec, MacAlgorithmSpec } from '../../model/types.gen.js';
import { requireAlgorithm } from '../algorithms.js';
import type { KeyFamily } from '../family.js';

/** Key length per HMAC spec: the digest length of its hash, as AWS generates them. */
const KEY_BYTES: Partial<Record<KeySpec, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

const HASH: Readonly<Record<MacAlgorithmSpec, string>> = {
  HMAC_SHA_224: 'sha224', HMAC_SHA_256: 'sha256', HMAC_SHA_384: 'sha384', HMAC_SHA_512: 'sha512',
};

export const hmac: KeyFamily = {
  async generate(spec) {
    const length = KEY_BYTES[spec];
    if (length === undefined) throw new Error(`${spec} is not an HMAC key spec`);
    return randomBytes(length);
  },

  mac(spec, material, algorithm, message) {
    requireAlgorithm(spec, algorithm);
    return createHmac(HASH[algorithm], material).update(message).digest();
  },
};
