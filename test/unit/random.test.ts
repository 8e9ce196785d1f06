import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publicRandomBytes } from '../../src/util/random.js';

test('pooled random bytes: right lengths, fresh copies, no repeats across pool refills', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const b = publicRandomBytes(12);
    assert.equal(b.length, 12);
    seen.add(b.toString('hex'));
  }
  assert.equal(seen.size, 2000);
  const a = publicRandomBytes(16);
  const copy = Buffer.from(a);
  publicRandomBytes(4096);
  assert.deepEqual(a, copy, 'a returned buffer is never overwritten by a refill');
  assert.throws(() => publicRandomBytes(4097), RangeError);
});
