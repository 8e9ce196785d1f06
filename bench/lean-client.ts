import { connect, type Socket } from 'node:net';
import { signRequest, type Credentials } from '../src/util/sigv4.js';

/**
 * A load generator's HTTP/1.1 client, as lean as it can be so that the generator is not what is measured:
 * one raw keep-alive socket per in-flight request, requests written as one buffer, responses parsed only as
 * far as status and Content-Length. Every request is SigV4-signed afresh (src/util/sigv4.ts).
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
    w?.resolve({ status, body });
  }
}
