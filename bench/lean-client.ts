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

/** One keep-alive connection carrying one request at a time. */
export class Connection {
  private readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private readonly ready: Promise<void>;

  constructor(host: string, port: number) {
    this.socket = connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed')));
  }

  async send(request: Buffer): Promise<Reply> {
    await this.ready;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.destroy();
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
    const w = this.waiting;
    this.waiting = undefined;
    w?.resolve({ status, body });
  }
}
