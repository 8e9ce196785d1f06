import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { KmsError } from '../model/errors.js';
import { handleKmsRequest } from '../protocol/pipeline.js';
import type { HttpRequestParts } from '../util/sigv4.js';
import { handleAdminRequest, isAdminPath } from './admin.js';
import type { App } from './app.js';

/** Request limits (BENCHMARKS.md / README list them): AWS refuses larger bodies the same way. */
export const LIMITS = {
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  /** How often Node enforces the two timeouts above: its default (30 s) let a slow sender hold a connection up to 40 s. */
  timeoutCheckIntervalMs: 1_000,
} as const;

export function startHttpServer(app: App): Promise<Server> {
  const server = createServer({
    maxHeaderSize: LIMITS.maxHeaderBytes,
    headersTimeout: LIMITS.headersTimeoutMs,
    requestTimeout: LIMITS.requestTimeoutMs,
    keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
    connectionsCheckingInterval: LIMITS.timeoutCheckIntervalMs,
  }, (req, res) => {
    serve(app, req, res).catch((e: unknown) => answerBug(res, e));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(app.config.port, app.config.host, () => resolve(server));
  });
}

async function serve(app: App, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const time = app.deps.clock.now();
  const body = await readBody(req);
  if (body === undefined) {
    const parts: HttpRequestParts = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body: Buffer.alloc(0) };
    const out = await handleKmsRequest(parts, { sourceIp: req.socket.remoteAddress, time }, app.hooks,
      new KmsError('RequestEntityTooLargeException', 'Request body too large.'));
    send(res, out.status, { ...out.headers, connection: 'close' }, out.body);
    return;
  }
  if (isAdminPath(req.url)) {
    const out = await handleAdminRequest(app, req.method ?? 'GET', req.url!, req.headers, body);
    send(res, out.status, out.headers, out.body);
    return;
  }
  const parts: HttpRequestParts = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
  const out = await handleKmsRequest(parts, { sourceIp: req.socket.remoteAddress, time }, app.hooks);
  send(res, out.status, out.headers, out.body);
}

/**
 * An error that escaped the pipeline (which answers every failure it knows of) is a bug: logged, and answered as
 * KMSInternalException. Left unhandled, the rejection would end the worker and drop every connection it holds.
 */
function answerBug(res: ServerResponse, e: unknown): void {
  // The stack, never the request: it may hold plaintext.
  console.error(`request failed outside the pipeline: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  send(res, 500, { 'content-type': 'application/x-amz-json-1.1', connection: 'close' }, Buffer.from(JSON.stringify(
    { __type: 'KMSInternalException', message: 'The request could not be completed due to an internal error.' })));
}

/** The whole body, or undefined once it passes the limit (the rest is drained, not buffered). */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > LIMITS.maxBodyBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks, size)));
    req.on('error', () => resolve(undefined));
  });
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  if (res.destroyed) return;
  res.writeHead(status, headers);
  res.end(body);
}
