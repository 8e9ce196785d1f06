import { KEY_SPECS } from '../keys/specs.js';
import type { KeySpec } from '../model/types.gen.js';

/** How many secrets to keep ready per key spec: the specs whose generation takes too long for a request. */
export type PoolSizes = Readonly<Partial<Record<KeySpec, number>>>;

export const DEFAULT_POOL_SIZES: PoolSizes = { RSA_2048: 16, RSA_3072: 8, RSA_4096: 16 };

/** Parses `RSA_4096=16,RSA_2048=32` (an empty string or `0` turns the pool off). */
export function parsePoolSizes(text: string): PoolSizes {
  if (text.trim() === '' || text.trim() === '0') return {};
  const sizes: Partial<Record<KeySpec, number>> = {};
  for (const part of text.split(',')) {
    const [spec, n] = part.split('=').map((s) => s.trim());
    const size = Number(n);
    if (!spec || !Number.isInteger(size) || size < 0) throw new Error(`invalid key pool size: ${part}`);
    // Refused here, at start, rather than by the refill every second.
    if (!Object.hasOwn(KEY_SPECS, spec)) throw new Error(`invalid key pool size: ${spec} is not a key spec`);
    sizes[spec as KeySpec] = size;
  }
  return sizes;
}
