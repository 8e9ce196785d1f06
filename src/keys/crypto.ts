import type { KeySpec } from '../model/types.gen.js';
import type { KeyFamily } from './family.js';
import { ecc } from './families/ecc.js';
import { ed25519 } from './families/ed25519.js';
import { hmac } from './families/hmac.js';
import { mldsa } from './families/mldsa.js';
import { rsa } from './families/rsa.js';
import { sm2 } from './families/sm2.js';
import { symmetric } from './families/symmetric.js';
import { type KeyFamilyName, KEY_SPECS } from './specs.js';

export type { KeyFamily } from './family.js';
export { checkSigningRequest, requireAlgorithm } from './algorithms.js';

const FAMILIES: Readonly<Record<KeyFamilyName, KeyFamily>> = { symmetric, hmac, rsa, ecc, ed25519, mldsa, sm2 };

/** The implementation of a key spec's cryptography, as KEY_SPECS names it. */
export function familyOf(spec: KeySpec): KeyFamily {
  return FAMILIES[KEY_SPECS[spec].family];
}
