import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruMap } from '../../src/util/lru.js';

test('LruMap evicts the least recently used entry, a read counting as a use', () => {
  const lru = new LruMap<string, number>(3);
  lru.set('a', 1);
  lru.set('b', 2);
  lru.set('c', 3);
  assert.equal(lru.get('a'), 1); // a is now the newest: b is the oldest
  assert.equal(lru.get('a'), 1); // a hit on the newest changes nothing
  lru.set('d', 4);
  assert.equal(lru.get('b'), undefined);
  assert.deepEqual(['a', 'c', 'd'].map((k) => lru.get(k)), [1, 3, 4]); // read in this order: a is now the oldest
  lru.set('e', 5); // evicts a
  assert.equal(lru.get('a'), undefined);
  lru.delete('e');
  lru.set('f', 6);
  lru.set('g', 7); // c was the oldest
  assert.deepEqual(['c', 'd', 'f', 'g'].map((k) => lru.get(k)), [undefined, 4, 6, 7]);
  lru.clear();
  assert.equal(lru.get('g'), undefined);
});
