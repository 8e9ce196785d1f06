import { OPERATIONS, TARGET_PREFIX } from '../../src/model/shapes.gen.js';
import { ModelValues } from './model-values.js';
import type { Random } from './random.js';
import { httpBytes, kmsHeaders, type Endpoint, type HeaderList, type RawRequest } from './raw-http.js';

const OPERATION_NAMES = Object.keys(OPERATIONS);
const ONE_MIB = 1024 * 1024;

/**
 * Hostile requests, one kind per generator, most of them model-driven inputs to every operation (mutated at one
 * member); the rest attack the framing: bad JSON, deep nesting, bodies at and over the limit, invalid UTF-8,
 * duplicated and conflicting headers, bad chunked encoding, oversized headers, truncated bodies, garbage.
 */
export class HostileRequests {
  private readonly kinds: ReadonlyArray<readonly [number, () => RawRequest]>;

  constructor(private readonly random: Random, private readonly endpoint: Endpoint, private readonly values: ModelValues) {
    this.kinds = [
      [60, () => this.modelInput()],
      [6, () => this.mutatedBytes()],
      [3, () => this.nonObjectBody()],
      [2, () => this.deepNesting()],
      [2, () => this.bodyAtTheLimit()],
      [3, () => this.invalidUtf8()],
      [6, () => this.conflictingHeaders()],
      [3, () => this.chunked()],
      [2, () => this.oversizedHeaders()],
      [3, () => this.truncatedBody()],
      [3, () => this.badRequestLine()],
      [3, () => this.badAuthorization()],
      // dev's clock endpoints (serve answers 404 to the same paths).
      [3, () => this.adminRequest()],
    ];
  }

  next(): RawRequest {
    let roll = this.random.int(this.kinds.reduce((sum, [weight]) => sum + weight, 0));
    for (const [weight, make] of this.kinds) {
      if ((roll -= weight) < 0) return make();
    }
    throw new Error('unreachable');
  }

  /** A KMS request for `operation` with this body, signed in the serve posture. */
  kms(label: string, operation: string, body: Buffer, extra: HeaderList = []): RawRequest {
    const headers = [...kmsHeaders(this.endpoint, `${TARGET_PREFIX}.${operation}`, body), ...extra];
    return { label, bytes: httpBytes('POST / HTTP/1.1', headers, body) };
  }

  private someOperation(): string {
    return this.random.pick(OPERATION_NAMES);
  }

  private modelInput(): RawRequest {
    const operation = this.someOperation();
    const inputShape = OPERATIONS[operation]!.input;
    const input = inputShape ? this.values.input(inputShape) : {};
    return this.modelRequest(operation, input);
  }

  modelRequest(operation: string, input: Record<string, unknown>): RawRequest {
    const request = this.kms(`model input for ${operation}`, operation, Buffer.from(JSON.stringify(input)));
    return { ...request, input: { operation, value: input } };
  }

  private mutatedBytes(): RawRequest {
    const operation = this.someOperation();
    const inputShape = OPERATIONS[operation]!.input;
    const body = Buffer.from(JSON.stringify(inputShape ? this.values.valid(inputShape, 0) : {}));
    const r = this.random;
    for (let n = r.between(1, 4); n > 0 && body.length > 0; n--) body[r.int(body.length)] = r.pick([0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x00, 0xff, r.int(256)]);
    const cut = r.chance(0.3) ? body.subarray(0, r.int(body.length + 1)) : body;
    return this.kms(`mutated JSON for ${operation}`, operation, cut);
  }

  private nonObjectBody(): RawRequest {
    const body = this.random.pick(['[]', '"x"', 'null', '1', 'true', '{}{}', '{"a":1,"a":2}', ' ', '\ufeff{}', '{"KeyId":"x"', '{,}']);
    return this.kms('non-object JSON', this.someOperation(), Buffer.from(body));
  }

  /** ~100k nested arrays or objects inside 1 MiB, at the top or under a member. */
  private deepNesting(): RawRequest {
    const r = this.random;
    const depth = r.pick([1_000, 100_000, 300_000]);
    const [open, close] = r.pick([['[', ']'], ['{"a":', '}']] as const);
    const nested = open.repeat(depth) + '1' + close.repeat(depth);
    const operation = this.someOperation();
    const member = r.pick(['KeyId', 'GrantTokens', 'Tags', 'EncryptionContext', 'Plaintext', 'Limit']);
    const body = r.pick([
      nested, `{"${member}":${nested}}`,
      // A list over its maximum whose items are deep: the constraint message must not describe them recursively.
      `{"GrantTokens":[${Array.from({ length: 11 }, () => `${'['.repeat(30_000)}${']'.repeat(30_000)}`).join(',')}]}`,
      `{"Tags":[${'{"TagKey":"k","TagValue":"v"},'.repeat(30_000)}1]}`,
    ]);
    return this.kms(`nesting ${depth} deep`, operation, Buffer.from(body));
  }

  private bodyAtTheLimit(): RawRequest {
    const r = this.random;
    const size = r.pick([ONE_MIB, ONE_MIB + 1, ONE_MIB - 1, 2 * ONE_MIB]);
    const json = `{"Plaintext":"${'QUFB'.repeat(4096)}"}`;
    const body = Buffer.alloc(size, 0x20);
    body.write(json, 0, 'latin1');
    return this.kms(`a ${size}-byte body`, r.pick(['Encrypt', 'ListKeys', 'GenerateRandom']), body);
  }

  private invalidUtf8(): RawRequest {
    const r = this.random;
    const bad = r.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]);
    const member = r.pick(['KeyId', 'Description', 'AliasName', 'TagKey', 'Policy']);
    const body = Buffer.concat([Buffer.from(`{"${member}":"a`), Buffer.from(bad), Buffer.from(r.chance(0.5) ? '"}' : '","Tags":[{"TagKey":"\u00e9","TagValue":"x"}]}')]);
    return this.kms('invalid UTF-8', r.pick(['CreateKey', 'DescribeKey', 'CreateAlias', 'TagResource', 'PutKeyPolicy']), body);
  }

  private conflictingHeaders(): RawRequest {
    const r = this.random;
    const body = Buffer.from('{}');
    const extra = r.pick<HeaderList>([
      [['X-Amz-Target', `${TARGET_PREFIX}.ListKeys`]],
      [['X-Amz-Target', `${TARGET_PREFIX}.CreateKey`]],
      [['content-length', '2'], ['content-length', '2']],
      [['content-length', '2'], ['content-length', '3']],
      [['content-length', '-1']],
      [['content-length', '99999999999999999999']],
      [['content-length', '0x2']],
      [['transfer-encoding', 'chunked'], ['content-length', '2']],
      [['Host', 'evil.example']],
      [['Authorization', 'AWS4-HMAC-SHA256 Credential=x']],
      [['content-type', 'application/json']],
      [['content-type', 'text/plain; charset=utf-16']],
      [['x-amz-date', '20200101T000000Z']],
      [['expect', '100-continue']],
      [['connection', 'upgrade'], ['upgrade', 'websocket']],
      [['x-amz-target', '']],
    ]);
    // httpBytes frames the body with its own Content-Length unless the extras frame it: then only theirs count.
    return this.kms(`extra headers ${extra.map(([n, v]) => `${n}: ${v}`).join(', ')}`, 'ListKeys', body, extra);
  }

  private chunked(): RawRequest {
    const r = this.random;
    const complete = r.chance(0.7);
    const chunks = complete
      ? r.pick([
        '2\r\n{}\r\n0\r\n\r\n', 'zz\r\n{}\r\n0\r\n\r\n', '2\r\n{}0\r\n\r\n', '-2\r\n{}\r\n0\r\n\r\n',
        '1\r\n{\r\n1\r\n}\r\n0\r\n\r\n', '2;ext=1\r\n{}\r\n0\r\n\r\n', '2\n{}\n0\n\n', '2\r\n{}\r\n0\r\nTrailer: x\r\n\r\n',
      ])
      // Chunks that promise more than comes: the server may wait for the rest, so the sender hangs up.
      : r.pick(['2\r\n{}\r\n', '100000\r\n{}', 'ffffffffffffffff\r\n{}\r\n0\r\n\r\n', '2\r\n{', '']);
    const headers = kmsHeaders(this.endpoint, `${TARGET_PREFIX}.ListKeys`, Buffer.from('{}'));
    const bytes = httpBytes('POST / HTTP/1.1', [...headers, ['transfer-encoding', 'chunked']], Buffer.from(chunks, 'latin1'));
    return { label: complete ? 'chunked' : 'unfinished chunked body, then close', bytes, hangUp: !complete };
  }

  private oversizedHeaders(): RawRequest {
    const r = this.random;
    const extra = r.pick<HeaderList>([
      [['x-big', 'a'.repeat(20_000)]],
      [['x-big', 'a'.repeat(15_000)]],
      Array.from({ length: 2_000 }, (_, i) => [`x-h${i}`, 'v'] as const),
      [['x-amz-target', `${TARGET_PREFIX}.${'A'.repeat(16_000)}`]],
      [['authorization', `AWS4-HMAC-SHA256 Credential=${'a/'.repeat(7_000)}, SignedHeaders=host, Signature=00`]],
    ]);
    return this.kms(`oversized headers (${extra.length})`, 'ListKeys', Buffer.from('{}'), extra);
  }

  private truncatedBody(): RawRequest {
    const r = this.random;
    const body = Buffer.from(JSON.stringify({ KeyId: 'alias/x', Plaintext: 'QUFB' }));
    const headers = kmsHeaders(this.endpoint, `${TARGET_PREFIX}.Encrypt`, body);
    const claimed = r.pick([body.length + 1, body.length * 10, ONE_MIB, ONE_MIB + 10]);
    const bytes = httpBytes('POST / HTTP/1.1', [...headers, ['content-length', String(claimed)]], body.subarray(0, r.int(body.length)));
    return { label: `Content-Length ${claimed}, fewer bytes, then close`, bytes, hangUp: true };
  }

  private badRequestLine(): RawRequest {
    const r = this.random;
    const line = r.pick([
      'GET / HTTP/1.1', 'PUT / HTTP/1.1', 'POST /x/../../ HTTP/1.1', `POST /${'a'.repeat(20_000)} HTTP/1.1`, 'POST / HTTP/9.9',
      'POST / HTTP/1.0', 'POST /?Action=ListKeys HTTP/1.1', 'FOO / HTTP/1.1', 'POST  / HTTP/1.1', 'POST / HTTP/1.1 extra', 'POST',
      'POST * HTTP/1.1', 'OPTIONS * HTTP/1.1', 'POST http://other/ HTTP/1.1', '\x00\x01\x02', r.bytes(40).toString('latin1'),
    ]);
    const body = Buffer.from('{}');
    return { label: `request line ${JSON.stringify(line.slice(0, 60))}`, bytes: httpBytes(line, kmsHeaders(this.endpoint, `${TARGET_PREFIX}.ListKeys`, body), body) };
  }

  private badAuthorization(): RawRequest {
    const r = this.random;
    const body = Buffer.from('{}');
    const headers = kmsHeaders(this.endpoint, `${TARGET_PREFIX}.ListKeys`, body).filter(([n]) => n !== 'authorization' && n !== 'x-amz-date');
    const auth = r.pick([
      '', 'AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA256 ', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=',
      'AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-west-2/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=zz',
      'AWS4-HMAC-SHA256 Credential===,,,=, SignedHeaders=host;;;;, Signature=', 'Bearer x', 'AWS AKIA:sig', 'AWS4-ECDSA-P256-SHA256 Credential=x',
      `AWS4-HMAC-SHA256 Credential=${'\u00ff'.repeat(100)}/20240101/us-west-2/kms/aws4_request, SignedHeaders=host, Signature=00`,
    ]);
    const date = r.pick(['20240230T000000Z', '99999999T999999Z', '', 'Thu, 01 Jan 1970 00:00:00 GMT', new Date().toISOString()]);
    return { label: 'bad authorization', bytes: httpBytes('POST / HTTP/1.1', [...headers, ['authorization', auth], ['x-amz-date', date]], body) };
  }

  private adminRequest(): RawRequest {
    const r = this.random;
    const body = Buffer.from(r.pick([
      '', '{}', '{"advanceSeconds":-1}', '{"advanceSeconds":1e308}', '{"advanceSeconds":"60"}', '{"advanceSeconds":1.5}',
      '{"advanceSeconds":9e15}', '{"advanceSeconds":null}', '[', '{"advanceSeconds":0}',
    ]));
    const line = `${r.pick(['GET', 'POST', 'PUT', 'DELETE'])} ${r.pick(['/-/admin/clock', '/-/admin/clock?x=1', '/-/admin/', '/-/admin/nope'])} HTTP/1.1`;
    return { label: 'admin request', bytes: httpBytes(line, [['host', `${this.endpoint.host}:${this.endpoint.port}`]], body) };
  }
}
