import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { KmsError } from '../model/errors.js';
import { handleKmsRequest, type WireResponse } from '../protocol/pipeline.js';
import { handleQueryRequest } from '../protocol/query/pipeline.js';
import { serviceOf } from '../protocol/route.js';
import { handleAdminRequest, isAdminPath, isProbePath } from './admin.js';
import type { App } from './app.js';
import { consoleFileFor, loadConsoleFiles, type ConsoleFiles } from './console-files.js';
import { ParseError, RequestParser, type ParsedRequest, type ParseResult } from './http-parser.js';
import { readTlsFiles } from './tls.js';

/** Request limits (the README lists them): AWS refuses larger bodies the same way. */
export const LIMITS = {
  maxBodyBytes: 1024 * 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  /** How often the timeouts above are checked: they hold to within this. */
  timeoutCheckIntervalMs: 1_000,
} as const;

/** Bytes of later (pipelined) requests buffered while one is handled, before the connection stops reading. */
const PIPELINE_BUFFER_BYTES = 64 * 1024;
/** How long a connection being closed after a refusal may keep sending before it is cut. */
const CLOSING_GRACE_MS = 5_000;

const REASONS: Record<number, string> = {
  200: 'OK', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 417: 'Expectation Failed', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

export interface HttpServer {
  readonly port: number;
  /** Stops accepting, closes idle connections, lets requests in progress finish; resolves when all are closed. */
  stop(): Promise<void>;
  /** Reads the TLS files again for the connections to come (those open keep theirs); throws, keeping the old, if they are unusable. */
  reloadTls(): void;
}

/**
 * Trent's HTTP/1.1 server, on node:net with its own parser (http-parser.ts). node:http spent about half of a
 * data-plane request's CPU here (its request and response objects, streams and events); a KMS request needs
 * none of that: a head, a body of known size, one buffer written back. Keep-alive, pipelining (answered in
 * order), chunked request bodies, Expect: 100-continue, and the limits and time-outs of LIMITS are handled;
 * malformed HTTP is answered 400 (431 for an oversized head, 408 for a slow sender) and the connection closed.
 */
export function startHttpServer(app: App): Promise<HttpServer> {
  const connections = new Set<Connection>();
  let stopping = false;
  const { tls } = app.config;
  // aws:SecureTransport: TLS ended here, or, on the operator's word, by a proxy in front.
  const secure = tls !== undefined || app.config.tlsTerminatedByProxy;
  const consoleFiles = loadConsoleFiles();
  const accept = (socket: Socket) => {
    if (stopping) {
      socket.destroy();
      return;
    }
    const connection = new Connection(socket, app, secure, consoleFiles, () => stopping);
    connections.add(connection);
    app.metrics.connectionOpened();
    socket.once('close', () => {
      connections.delete(connection);
      app.metrics.connectionClosed();
    });
  };
  // Half-open allowed: a client may send its request and shut its side; it still gets the answer. Over TLS the
  // same handler gets the decrypted stream once the handshake is done, which must not take longer than headers.
  const server: Server | TlsServer = tls
    ? createTlsServer({ ...readTlsFiles(tls), noDelay: true, allowHalfOpen: true, handshakeTimeout: LIMITS.headersTimeoutMs }, accept)
    : createServer({ noDelay: true, allowHalfOpen: true }, accept);
  // Runs until the server has closed: a slow sender must not hold a stopping server open either.
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of connections) c.checkTimeouts(now);
  }, LIMITS.timeoutCheckIntervalMs);
  sweeper.unref();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(app.config.port, app.config.host, () => {
      const address = server.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : app.config.port,
        stop: () => new Promise<void>((done) => {
          stopping = true;
          server.close(() => {
            clearInterval(sweeper);
            done();
          });
          for (const c of connections) c.closeWhenIdle();
        }),
        reloadTls: () => {
          if (tls) (server as TlsServer).setSecureContext(readTlsFiles(tls));
        },
      });
    });
  });
}

/** The Date header's value, made once a second. */
let dateSecond = 0;
let dateValue = '';
function httpDate(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(now).toUTCString();
  }
  return dateValue;
}

/** One client connection: requests parsed as bytes arrive, handled one at a time, answered in order. */
class Connection {
  private readonly parser = new RequestParser(LIMITS);
  /** A request is being handled: later bytes wait in the parser. */
  private busy = false;
  /** No request is read after the current one; set with the time it was decided. */
  private closingSince = 0;
  private sentContinue = false;
  /** When the first byte of the request being received arrived (0: none is). */
  private requestStart = 0;
  private lastActive = Date.now();
  /** Whether a request has been answered: before the first, an idle connection gets the headers time-out. */
  private answered = false;
  /** The client has shut its side: what it sent is answered, then the connection closes. */
  private peerEnded = false;

  constructor(private readonly socket: Socket, private readonly app: App, private readonly secure: boolean,
    private readonly consoleFiles: ConsoleFiles, private readonly stopping: () => boolean) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => {
      this.peerEnded = true;
      if (!this.busy) this.next();
    });
    socket.on('error', () => socket.destroy());
    socket.on('drain', () => { if (!this.busy) this.resume(); });
  }

  private onData(chunk: Buffer): void {
    if (this.closingSince) return; // refused: what follows is not read
    if (this.requestStart === 0) this.requestStart = Date.now();
    this.parser.push(chunk);
    if (this.busy) {
      if (this.parser.buffered > PIPELINE_BUFFER_BYTES) this.socket.pause();
      return;
    }
    this.next();
  }

  /** Handles the next complete request, if one has arrived. */
  private next(): void {
    let parsed: ParseResult;
    try {
      parsed = this.parser.next();
    } catch (e) {
      if (!(e instanceof ParseError)) this.app.log.error(`HTTP parser failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      this.refuse(e instanceof ParseError ? e.status : 400);
      return;
    }
    const result = parsed;
    if (result.kind === 'incomplete') {
      if (this.peerEnded) {
        // Nothing more will come: a partial request can never complete.
        this.close();
        return;
      }
      if (result.expectsContinue && !this.sentContinue) {
        this.sentContinue = true;
        this.socket.write('HTTP/1.1 100 Continue\r\n\r\n');
      }
      if (!this.parser.started) this.requestStart = 0;
      return;
    }
    this.busy = true;
    this.sentContinue = false;
    const tooLarge = result.kind === 'tooLarge';
    const started = performance.now();
    this.handle(result.request, tooLarge).then(
      (out) => {
        const ms = performance.now() - started;
        const errorType = out.headers['x-amzn-errortype'];
        if (out.operation !== undefined || errorType !== undefined) this.app.metrics.request(out.operation, errorType, ms / 1000);
        this.logRequest(result.request, out, ms);
        this.respond(result.request, out, !tooLarge && result.request.keepAlive);
      },
      (e: unknown) => this.respond(result.request, internalError(this.app, e), false),
    );
  }

  /** Probes (health, metrics) come every few seconds from a load balancer or Prometheus: logged at debug only. */
  private logRequest(req: ParsedRequest, out: WireResponse, ms: number): void {
    const what = out.operation ?? (isAdminPath(req.path) ? `${req.method} ${req.path.split('?')[0]}` : 'UnknownOperation');
    if (out.facts === undefined && isProbePath(req.path)) {
      if (this.app.log.isLevelEnabled('debug')) this.app.log.debug(`${what} ${out.status} ${Math.round(ms)}ms`);
      return;
    }
    this.app.logRequest({ what, status: out.status, errorType: out.headers['x-amzn-errortype'], ms, facts: out.facts, sourceIp: this.socket.remoteAddress });
  }

  private async handle(req: ParsedRequest, tooLarge: boolean): Promise<WireResponse> {
    const app = this.app;
    const meta = { sourceIp: this.socket.remoteAddress, secureTransport: this.secure, time: app.deps.clock.now() };
    const refusal = tooLarge ? new KmsError('RequestEntityTooLargeException', 'Request body too large.') : undefined;
    if (!tooLarge && isAdminPath(req.path)) return handleAdminRequest(app, req.method, req.path, req.headers, req.body);
    const consoleFile = tooLarge ? undefined : consoleFileFor(this.consoleFiles, req.method, req.path);
    if (consoleFile) return consoleFile;
    const service = serviceOf(req);
    if (service !== 'kms') return handleQueryRequest(service, req, meta, app.hooks, refusal);
    return handleKmsRequest(req, meta, app.hooks, refusal);
  }

  private respond(req: ParsedRequest, out: WireResponse, keepAlive: boolean): void {
    if (this.socket.destroyed) return;
    const open = keepAlive && !this.stopping();
    let head = `HTTP/1.1 ${out.status} ${REASONS[out.status] ?? 'Unknown'}\r\n`;
    for (const name in out.headers) if (name !== 'content-length') head += `${name}: ${out.headers[name]}\r\n`;
    head += `content-length: ${out.body.length}\r\ndate: ${httpDate(Date.now())}\r\n` +
      `connection: ${open ? 'keep-alive' : 'close'}\r\n\r\n`;
    // One buffer, one write: the head (latin1: it is ASCII) and, except for HEAD, the body.
    const body = req.method === 'HEAD' ? undefined : out.body;
    const bytes = Buffer.allocUnsafe(head.length + (body?.length ?? 0));
    bytes.write(head, 0, 'latin1');
    body?.copy(bytes, head.length);
    const flushed = this.socket.write(bytes);
    this.lastActive = Date.now();
    this.answered = true;
    if (!open) {
      this.close();
      return;
    }
    this.busy = false;
    // A later request already partly here has been waiting since now, not since it arrived behind this one.
    this.requestStart = this.parser.started ? this.lastActive : 0;
    if (flushed) this.resume();
    else this.socket.pause(); // until 'drain': a client that does not read its answers gets no more of them
  }

  /** Reads again, and handles a request that arrived meanwhile (or closes, if the client has shut its side). */
  private resume(): void {
    this.socket.resume();
    if (this.parser.buffered > 0 || this.peerEnded) this.next();
  }

  /** Answers a request the parser refused (or one too slow to arrive) with `status`, and closes. */
  private refuse(status: number): void {
    if (this.socket.destroyed) return;
    this.app.metrics.refused(status);
    if (this.app.log.isLevelEnabled('debug')) this.app.log.debug(`HTTP ${status}: refused a malformed or slow request from ${this.socket.remoteAddress}`);
    this.socket.write(`HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
    this.close();
  }

  /** Ends the connection once written; the client's further bytes are ignored, and it is cut if it keeps on. */
  private close(): void {
    this.closingSince = Date.now();
    this.busy = true;
    this.socket.resume(); // keep reading (and ignoring), so the client sees the answer rather than a reset
    this.socket.end();
  }

  /** On stop: a connection between requests closes once what it was sent has been written. */
  closeWhenIdle(): void {
    if (!this.busy && !this.parser.started) this.close();
  }

  checkTimeouts(now: number): void {
    if (this.closingSince) {
      if (now - this.closingSince > CLOSING_GRACE_MS) this.socket.destroy();
      return;
    }
    if (this.busy) return;
    if (this.requestStart) {
      const limit = this.parser.headComplete ? LIMITS.requestTimeoutMs : LIMITS.headersTimeoutMs;
      if (now - this.requestStart > limit) this.refuse(408);
    } else if (now - this.lastActive > (this.answered ? LIMITS.keepAliveTimeoutMs : LIMITS.headersTimeoutMs)) {
      this.socket.destroy();
    } else if (this.stopping()) {
      this.close();
    }
  }
}

/**
 * An error that escaped the pipeline (which answers every failure it knows of) is a bug: logged, and answered as
 * KMSInternalException. Left unhandled, the rejection would end the worker and drop every connection it holds.
 */
function internalError(app: App, e: unknown): WireResponse {
  // The stack, never the request: it may hold plaintext.
  app.log.error(`request failed outside the pipeline: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  const body = Buffer.from(JSON.stringify(
    { __type: 'KMSInternalException', message: 'The request could not be completed due to an internal error.' }));
  return { status: 500, headers: { 'content-type': 'application/x-amz-json-1.1', 'content-length': String(body.length) }, body };
}
