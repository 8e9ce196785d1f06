import { randomBytes } from 'node:crypto';

import { incorrectMaterial, type KeyFamily } from '../family.js';

const KEY_BYTES = 32;

/** SYMMETRIC_DEFAULT: a 256-bit AES key; the encryption itself lives in keys/ciphertext.ts. */
export const symmetric: KeyFamily = {
  async generate() {
    return randomBytes(KEY_BYTES);
  },

  importMaterial(spec, imported) {
    if (imported.length !== KEY_BYTES) throw incorrectMaterial(spec, `it must be ${KEY_BYTES} bytes, not ${imported.length}`);
    return Buffer.from(imported);
  },
};
