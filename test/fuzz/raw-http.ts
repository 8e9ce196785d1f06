import { connect } from 'node:net';
import { signRequest, type Credentials } from '../../src/util/sigv4.js';

/** A request as bytes, so that anything at all can be sent: duplicated headers, lies in Content-Length, no body. */
export interface RawRequest {
  readonly label: string;
  readonly bytes: Buffer;
  /** Close the connection once the bytes are sent (a truncated body): no answer is expected. */
  readonly hangUp?: boolean;
  /** The operation input it carries, when it is a model-driven request (a failure is then minimised member by member). */
  readonly input?: { readonly operation: string; readonly value: Record<string, unknown> };
}

export interface RawAnswer {
  /** undefined when the server closed the connection (or the wait ended) without a status line. */
  readonly status: number | undefined;
  readonly head: string;
  readonly body: Buffer;
}

export type HeaderList = ReadonlyArray<readonly [string, string]>;

/** Where requests go and, in the serve posture, the credentials that sign them. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly credentials: Credentials | undefined;
}

/** POST / with the KMS headers for `target`, signed when the endpoint has credentials; `extra` headers go last. */
export function kmsHeaders(endpoint: Endpoint, target: string, body: Buffer): [string, string][] {
  const headers: Record<string, string> = {
    host: `${endpoint.host}:${endpoint.port}`,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': target,
  };
  const signed = endpoint.credentials
    ? signRequest({ method: 'POST', path: '/', headers, body }, endpoint.credentials, 'us-west-2', 'kms', new Date())
    : {};
  return Object.entries({ ...headers, ...signed });
}

/** The bytes of an HTTP/1.1 request; Content-Length is added unless the headers already say how the body is framed. */
export function httpBytes(requestLine: string, headers: HeaderList, body: Buffer): Buffer {
  const framed = headers.some(([name]) => /^(content-length|transfer-encoding)$/i.test(name));
  let head = `${requestLine}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  if (!framed) head += `content-length: ${body.length}\r\n`;
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

/**
 * Sends the bytes on a new connection and reads one response (to its Content-Length, or to the close), giving up
 * after `timeoutMs`.
 */
export function sendRaw(host: string, port: number, request: RawRequest, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let received = Buffer.alloc(0);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { head, body } = finalResponse(received);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({ status: status ? Number(status) : undefined, head, body });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => {
      socket.write(request.bytes);
      if (request.hangUp) finish();
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const { head, body } = finalResponse(received);
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1];
      const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      if (length !== undefined ? body.length >= Number(length) : chunked && body.subarray(-5).toString() === '0\r\n\r\n') finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}

/** The response after any interim 100 Continue (the answer to `expect: 100-continue`), split at its blank line. */
function finalResponse(received: Buffer): { head: string; body: Buffer } {
  const interim = /^HTTP\/1\.1 1\d\d [^\r]*\r\n\r\n/.exec(received.toString('latin1', 0, 200))?.[0].length ?? 0;
  const response = received.subarray(interim);
  const headEnd = response.indexOf('\r\n\r\n');
  if (headEnd < 0) return { head: response.toString('latin1'), body: Buffer.alloc(0) };
  return { head: response.toString('latin1', 0, headEnd), body: response.subarray(headEnd + 4) };
}

/** A request as printable text for a report: control and non-ASCII bytes escaped, long runs cut. */
export function printable(bytes: Buffer, max = 600): string {
  const text = bytes.subarray(0, max).toString('latin1')
    .replace(/[^\x20-\x7e\r\n]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/(.)\1{40,}/g, (run, c: string) => `${c}{×${run.length}}`);
  return bytes.length > max ? `${text}… (${bytes.length} bytes)` : text;
}
