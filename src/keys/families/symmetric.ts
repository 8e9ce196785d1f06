import { randomBytes } from 'node:crypto';

import type { KeyFamily } from '../family.js';

/** SYMMETRIC_DEFAULT: a 256-bit AES key; the encryption itself lives in keys/ciphertext.ts. */
export const symmetric: KeyFamily = {
  async generate() {
    return randomBytes(32);
  },
};
