import { connect, type Socket } from 'node:net';
import { signRequest, type Credentials } from '../src/util/sigv4.js';

/**
 * The benchmark's client for its setup calls (creating keys, listing them) and the tests' for calls that must
 * tell an answer from no answer (test/support/kms-caller.ts): a raw keep-alive socket, requests written as one
 * buffer, responses parsed only as far as status and Content-Length, every request SigV4-signed afresh
 * (src/util/sigv4.ts). The load itself comes from bench/loadgen.c.
 */
export interface Target {
  readonly host: string;
  readonly port: number;
  readonly region: string;
  readonly credentials: Credentials;
}

export interface Reply {
  readonly status: number;
  readonly body: Buffer;
  /** x-amzn-requestid: the ID the request's audit record has. */
  readonly requestId: string;
}

export function kmsRequest(target: Target, operation: string, payload: unknown, now = new Date()): Buffer {
  const body = Buffer.from(JSON.stringify(payload));
  const headers: Record<string, string> = {
    host: `${target.host}:${target.port}`,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `TrentService.${operation}`,
  };
  const signed = signRequest({ method: 'POST', path: '/', headers, body }, target.credentials, target.region, 'kms', now);
  let head = 'POST / HTTP/1.1\r\n';
  for (const [k, v] of Object.entries({ ...headers, ...signed })) head += `${k}: ${v}\r\n`;
  head += `content-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/**
 * One keep-alive connection carrying one request at a time. A server that closes the connection (moto's
 * development server answers every request with `Connection: close`) gets a new one for the next request,
 * as any HTTP/1.1 client would do.
 */
export class Connection {
  private socket: Socket | undefined;
  private ready: Promise<void> = Promise.resolve();
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;

  constructor(private readonly host: string, private readonly port: number) {
    this.open();
  }

  private open(): void {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.ready = new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.ready.catch(() => undefined);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.fail(new Error('connection closed'));
    });
  }

  async send(request: Buffer): Promise<Reply> {
    if (!this.socket) this.open();
    await this.ready;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket!.write(request);
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const headEnd = this.buffer.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buffer.toString('latin1', 0, headEnd);
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const total = headEnd + 4 + length;
    if (this.buffer.length < total) return;
    const status = Number(head.slice(9, 12));
    const requestId = /\r\nx-amzn-requestid:\s*(\S+)/i.exec(head)?.[1] ?? '';
    const body = this.buffer.subarray(headEnd + 4, total);
    this.buffer = this.buffer.subarray(total);
    if (/\r\nconnection:\s*close/i.test(head)) {
      // Answered, then closed by the server: the next request opens a new connection.
      const socket = this.socket;
      this.socket = undefined;
      socket?.removeAllListeners('close');
      socket?.destroy();
    }
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve({ status, body, requestId });
  }
}

/**
 * One signed call that must answer 200 (anything else throws), over `connection` when given, else over a
 * connection of its own.
 */
export async function call(t: Target, op: string, payload: unknown, connection?: Connection): Promise<Record<string, unknown>> {
  const c = connection ?? new Connection(t.host, t.port);
  try {
    const r = await c.send(kmsRequest(t, op, payload));
    if (r.status !== 200) throw new Error(`${op}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    return JSON.parse(r.body.toString() || '{}') as Record<string, unknown>;
  } finally {
    if (!connection) c.close();
  }
}

export async function createKey(t: Target, input: Record<string, unknown> = {}): Promise<string> {
  const r = await call(t, 'CreateKey', input);
  return (r.KeyMetadata as { KeyId: string }).KeyId;
}
