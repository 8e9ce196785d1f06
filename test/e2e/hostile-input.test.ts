import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useTrent } from '../support/trent.js';

/** An unsigned dev-posture request, answered as status and JSON. */
async function post(endpoint: string, path: string, target: string | undefined, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${endpoint}${path}`, {
    method: 'POST', body, headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': `TrentService.${target}` } : {}) },
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

// Regressions found by the fuzzer (test/fuzz/): each of these once crashed a worker or answered 500.
describe('hostile input is a client error, and the server stays up', () => {
  const trent = useTrent();

  test('a timestamp beyond the range of dates is a SerializationException (it crashed the worker while auditing)', async () => {
    for (const ValidTo of [1e20, -1e20, 8.64e12 + 1]) {
      const r = await post(trent().endpoint, '/', 'ImportKeyMaterial', JSON.stringify({
        KeyId: 'alias/x', ImportToken: 'AAAA', EncryptedKeyMaterial: 'AAAA', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo,
      }));
      assert.equal(r.status, 400, String(ValidTo));
      assert.equal(r.json.__type, 'SerializationException');
      assert.equal(r.json.message, "Value at 'validTo' is not a valid timestamp.");
    }
  });

  test('a list over its maximum whose items are nested 30,000 deep is a SerializationException (describing it overflowed the stack)', async () => {
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    const r = await post(trent().endpoint, '/', 'GenerateMac', `{"GrantTokens":[${Array(11).fill(deep).join(',')}]}`);
    assert.equal(r.status, 400);
    assert.equal(r.json.__type, 'SerializationException');
  });

  test('a list over its maximum still says so, before the violations of its items', async () => {
    const r = await post(trent().endpoint, '/', 'GenerateMac', JSON.stringify({ GrantTokens: [...Array(10).fill('t'), ''] }));
    assert.equal(r.json.__type, 'ValidationException');
    assert.match(String(r.json.message), /Value '\[t, t, t, t, t, t, t, t, t, t, \]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10; Value '' at 'grantTokens.11.member'/);
  });

  test('the dev clock cannot be moved past the year 9999 (an invalid clock crashed every later request)', async () => {
    for (const advanceSeconds of [9e15, 3e11]) {
      const r = await fetch(`${trent().endpoint}/-/admin/clock`,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advanceSeconds }) });
      assert.equal(r.status, 400, String(advanceSeconds));
      assert.equal(((await r.json()) as { message: string }).message, 'The clock cannot be moved past the year 9999.');
    }
    const clock = await fetch(`${trent().endpoint}/-/admin/clock`);
    assert.equal(((await clock.json()) as { offsetSeconds: number }).offsetSeconds, 0);
    assert.equal((await post(trent().endpoint, '/', 'ListKeys', '{}')).status, 200);
  });

  test('no worker died along the way', () => {
    assert.doesNotMatch(trent().output(), /exited|failed/);
  });
});
