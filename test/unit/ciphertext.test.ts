import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { canonicalContext, open, parseBlob, seal, type BlobHeader } from '../../src/keys/ciphertext.js';

const header: BlobHeader = {
  accountId: '111122223333',
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  materialId: 'ab'.repeat(32),
};
const material = randomBytes(32);
const context = canonicalContext({ purpose: 'test', tenant: 'ü' });

/** Opens a blob as a server would: parse, then authenticate; undefined when either fails. */
function reopen(blob: Buffer, ctx = context, key = material): Buffer | undefined {
  const parsed = parseBlob(blob);
  return parsed && open(parsed, key, ctx);
}

describe('symmetric ciphertext blob v1 (keys/ciphertext.ts)', () => {
  test('round-trips plaintexts of 1 and 4,096 bytes, naming account, key and material', () => {
    for (const size of [1, 4096]) {
      const plaintext = randomBytes(size);
      const blob = seal(header, material, plaintext, context);
      assert.equal(blob.length, 1 + 12 + 1 + header.keyId.length + 32 + 12 + size + 16);
      const parsed = parseBlob(blob)!;
      assert.deepEqual({ accountId: parsed.accountId, keyId: parsed.keyId, materialId: parsed.materialId }, header);
      assert.deepEqual(open(parsed, material, context), plaintext);
    }
  });

  test('multi-Region key IDs fit the header', () => {
    const mrk = { ...header, keyId: `mrk-${'0'.repeat(32)}` };
    const blob = seal(mrk, material, Buffer.from('x'), context);
    assert.equal(parseBlob(blob)!.keyId, mrk.keyId);
  });

  test('two encryptions of one plaintext differ (fresh nonce, fresh message key)', () => {
    const a = seal(header, material, Buffer.from('same'), context);
    const b = seal(header, material, Buffer.from('same'), context);
    assert.notDeepEqual(a, b);
  });

  test('every single-bit flip of every byte is refused, none throws', () => {
    const blob = seal(header, material, Buffer.from('attack at dawn'), context);
    for (let i = 0; i < blob.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const tampered = Buffer.from(blob);
        tampered[i]! ^= 1 << bit;
        assert.equal(reopen(tampered), undefined, `byte ${i} bit ${bit}`);
      }
    }
  });

  test('a header whose key ID or account cannot exist does not parse (it is never looked up)', () => {
    // The key ID's length byte made one longer: the key ID takes the material ID's first byte, here a NUL.
    const blob = seal({ ...header, materialId: '00'.repeat(32) }, material, Buffer.from('x'), context);
    const lengthAt = 1 + header.accountId.length;
    const longer = Buffer.from(blob);
    longer[lengthAt]! += 1;
    assert.equal(parseBlob(longer), undefined);
    const account = Buffer.from(blob);
    account[1] = 0x3a; // ':' where a digit stands
    assert.equal(parseBlob(account), undefined);
    assert.ok(parseBlob(blob));
  });

  test('every truncation and an extension are refused', () => {
    const blob = seal(header, material, Buffer.from('attack at dawn'), context);
    for (let n = 0; n < blob.length; n++) assert.equal(reopen(blob.subarray(0, n)), undefined, `length ${n}`);
    assert.equal(reopen(Buffer.concat([blob, Buffer.of(0)])), undefined);
  });

  test('another material, another context or another version is refused', () => {
    const blob = seal(header, material, Buffer.from('secret'), context);
    assert.equal(reopen(blob, context, randomBytes(32)), undefined);
    assert.equal(reopen(blob, canonicalContext({ purpose: 'test', tenant: 'u' })), undefined);
    assert.equal(reopen(blob, canonicalContext(undefined)), undefined);
    const v2 = Buffer.from(blob);
    v2[0] = 2;
    assert.equal(parseBlob(v2), undefined);
  });

  test('the canonical context ignores pair order and tells pairs apart by length, not separators', () => {
    assert.deepEqual(canonicalContext({ a: '1', b: '2' }), canonicalContext({ b: '2', a: '1' }));
    assert.notDeepEqual(canonicalContext({ ab: 'c' }), canonicalContext({ a: 'bc' }));
    assert.deepEqual(canonicalContext({}), canonicalContext(undefined));
    // The model bounds no context size: a part longer than 65,535 bytes must encode, not throw.
    assert.equal(canonicalContext({ k: 'v'.repeat(70_000) }).length, 4 + 4 + 1 + 4 + 70_000);
  });

  test('a header that would not read back is never written', () => {
    assert.throws(() => seal({ ...header, accountId: '12345' }, material, Buffer.from('x'), context));
    assert.throws(() => seal({ ...header, materialId: 'xyz' }, material, Buffer.from('x'), context));
  });
});
