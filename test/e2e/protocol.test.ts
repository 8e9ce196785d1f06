import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OPERATION_NAMES } from '../../src/model/types.gen.js';
import { useTrent } from '../support/trent.js';

/** Raw AWS JSON 1.1 requests, unsigned (the dev posture accepts them), to see the wire itself. */
async function call(endpoint: string, target: string | undefined, body: string | Uint8Array,
  headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
    headers: { 'content-type': 'application/x-amz-json-1.1', ...(target ? { 'x-amz-target': target } : {}), ...headers },
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) as Record<string, unknown> : {} };
}

describe('the AWS JSON 1.1 wire', () => {
  const trent = useTrent();

  test('every response carries a request id and the JSON 1.1 content type', async () => {
    const ok = await call(trent().endpoint, 'TrentService.ListKeys', '{}');
    assert.equal(ok.status, 200);
    assert.match(ok.headers.get('x-amzn-requestid')!, /^[0-9a-f-]{36}$/);
    assert.equal(ok.headers.get('content-type'), 'application/x-amz-json-1.1');
    const bad = await call(trent().endpoint, 'TrentService.Nope', '{}');
    assert.match(bad.headers.get('x-amzn-requestid')!, /^[0-9a-f-]{36}$/);
    assert.equal(bad.headers.get('x-amzn-errortype'), 'UnknownOperationException');
  });

  test('an unknown or missing target is UnknownOperationException', async () => {
    for (const target of ['TrentService.Nope', 'OtherService.ListKeys', undefined]) {
      const r = await call(trent().endpoint, target, '{}');
      assert.equal(r.status, 400);
      assert.equal(r.json.__type, 'UnknownOperationException');
    }
  });

  test('malformed JSON and wrong JSON types are SerializationException', async () => {
    for (const body of ['{"Limit": ', '[1,2]', '"x"', '{"Limit": "ten"}', '{"Limit": 1.5}', '{"Tags": {}}']) {
      const target = body.includes('Tags') ? 'TrentService.CreateKey' : 'TrentService.ListKeys';
      const r = await call(trent().endpoint, target, body);
      assert.equal(r.status, 400, body);
      assert.equal(r.json.__type, 'SerializationException', body);
    }
  });

  test('constraint violations are reported together, in AWS words', async () => {
    const r = await call(trent().endpoint, 'TrentService.CreateKey', JSON.stringify({ KeySpec: 'NOPE', KeyUsage: 'NOPE' }));
    assert.equal(r.json.__type, 'ValidationException');
    assert.match(String(r.json.message), /^2 validation errors detected: Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[.*\]; Value 'NOPE' at 'keySpec'/);
    const missing = await call(trent().endpoint, 'TrentService.DescribeKey', '{}');
    assert.equal(missing.json.message,
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  });

  test('every one of the 54 operations is routed', async () => {
    assert.equal(OPERATION_NAMES.length, 54);
    for (const op of OPERATION_NAMES) {
      const r = await call(trent().endpoint, `TrentService.${op}`, '{}');
      assert.notEqual(r.json.__type, 'UnknownOperationException', op);
      assert.ok(r.status < 500, `${op} answered ${r.status}`);
    }
  });

  test('a body over the limit is refused without being buffered', async () => {
    const r = await call(trent().endpoint, 'TrentService.ListKeys', new Uint8Array(2 * 1024 * 1024).fill(0x20));
    assert.equal(r.status, 413);
  });
});
