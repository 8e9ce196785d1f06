/**
 * An HTTP/1.1 request parser (RFC 9112) for Trent's own server (http.ts), strict where leniency invites
 * request smuggling or ambiguity: only CRLF line ends, no obsolete line folding, no whitespace before a
 * header's colon, no control characters in values, a single Host, Content-Length digits only and never two
 * that differ, Transfer-Encoding only `chunked` and never with Content-Length. Anything else is a
 * `ParseError` with the status to answer, after which the connection is closed.
 *
 * It is incremental and pure: bytes go in as they arrive, complete requests come out, so it is tested without
 * sockets (test/unit/http-parser.test.ts).
 */

export interface ParsedRequest {
  readonly method: string;
  /** The request target as sent (origin form: path and query, still percent-encoded). */
  readonly path: string;
  /** Lower-case names; a repeated header is the list of its values, in order. */
  readonly headers: Record<string, string | string[]>;
  /** Whether the connection stays open after the response (HTTP/1.1 unless `close`; 1.0 only with `keep-alive`). */
  readonly keepAlive: boolean;
  readonly body: Buffer;
}

/** What the parser found so far: nothing yet, a complete request, or the head of one whose body is too large. */
export type ParseResult =
  | { readonly kind: 'incomplete'; readonly expectsContinue: boolean }
  | { readonly kind: 'request'; readonly request: ParsedRequest }
  | { readonly kind: 'tooLarge'; readonly request: ParsedRequest };

export class ParseError extends Error {
  constructor(readonly status: 400 | 417 | 431, message: string) {
    super(message);
  }
}

export interface ParserLimits {
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// In a header section, no control character but tab (and CR LF as line ends, checked as lines are split).
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\/[\x21-\x7e]*) HTTP\/1\.([01])$/;
const DIGITS = /^\d{1,15}$/;
// A size, then optional extensions: visible characters, spaces and tabs only.
const CHUNK_SIZE = /^([0-9a-fA-F]{1,8})(?:[ \t]*;[\t\x20-\x7e]*)?$/;

type Body =
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'chunked' };

interface Head {
  readonly request: Omit<ParsedRequest, 'body'>;
  readonly body: Body;
  readonly expectsContinue: boolean;
}

/**
 * One connection's parser. `push` appends bytes; `next` returns the next complete request, if any (pipelined
 * requests come out one per call). After a ParseError or a `tooLarge` result the connection must be closed.
 */
export class RequestParser {
  /**
   * Bytes received and not yet consumed, as they arrived. They are joined only when the current step has all
   * it needs (`need`), so a body that arrives in small pieces is copied once, not once per piece.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** How many pending bytes the current step needs before it can progress; 0: any byte may complete it. */
  private need = 0;
  private head: Head | undefined;
  /** Chunked bodies: the chunks decoded so far and their total. */
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;

  constructor(private readonly limits: ParserLimits) {}

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
  }

  /** Bytes received and not yet part of a returned request. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /** Whether some of a request has arrived (its timeouts run from then). */
  get started(): boolean {
    return this.head !== undefined || this.pendingBytes > 0;
  }

  /** Whether the whole head of the current request has arrived. */
  get headComplete(): boolean {
    return this.head !== undefined;
  }

  next(): ParseResult {
    if (this.pendingBytes < this.need) return this.incomplete();
    this.need = 0;
    if (!this.head) {
      let buffer = this.joined();
      // A server should ignore empty lines before a request line (RFC 9112 §2.2).
      while (buffer.length >= 2 && buffer[0] === 0x0d && buffer[1] === 0x0a) {
        this.consume(2);
        buffer = this.joined();
      }
      const end = buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (buffer.length > this.limits.maxHeaderBytes) throw new ParseError(431, 'request header fields too large');
        return this.incomplete();
      }
      if (end + 4 > this.limits.maxHeaderBytes) throw new ParseError(431, 'request header fields too large');
      this.head = parseHead(buffer.toString('latin1', 0, end));
      this.consume(end + 4);
      const { body } = this.head;
      if (body.kind === 'length' && body.length > this.limits.maxBodyBytes) return this.finish('tooLarge', Buffer.alloc(0));
    }
    const { body } = this.head;
    if (body.kind === 'length') {
      if (this.pendingBytes < body.length) {
        this.need = body.length;
        return this.incomplete();
      }
      const content = this.joined().subarray(0, body.length);
      this.consume(body.length);
      return this.finish('request', content);
    }
    return this.nextChunks();
  }

  private nextChunks(): ParseResult {
    for (;;) {
      const buffer = this.joined();
      const lineEnd = buffer.indexOf(CRLF);
      if (lineEnd < 0) {
        if (buffer.length > 1024) throw new ParseError(400, 'chunk size line too long');
        return this.incomplete();
      }
      const m = CHUNK_SIZE.exec(buffer.toString('latin1', 0, lineEnd));
      if (!m) throw new ParseError(400, 'malformed chunk size');
      const size = parseInt(m[1]!, 16);
      if (size === 0) {
        // The last chunk, then trailer fields (checked as strictly as the head's, then dropped), then an empty line.
        const trailer = lineEnd + 2;
        let end = trailer + 2;
        if (buffer[trailer] !== 0x0d || buffer[trailer + 1] !== 0x0a) {
          const fieldsEnd = buffer.indexOf(HEAD_END, trailer);
          if (fieldsEnd < 0) {
            if (buffer.length - trailer > this.limits.maxHeaderBytes) throw new ParseError(431, 'trailer fields too large');
            return this.incomplete();
          }
          parseFields(buffer.toString('latin1', trailer, fieldsEnd), 0, {});
          end = fieldsEnd + 4;
        } else if (buffer.length < end) {
          return this.incomplete();
        }
        this.consume(end);
        return this.finish('request', Buffer.concat(this.chunks, this.chunkedBytes));
      }
      if (this.chunkedBytes + size > this.limits.maxBodyBytes) return this.finish('tooLarge', Buffer.alloc(0));
      const dataEnd = lineEnd + 2 + size;
      if (buffer.length < dataEnd + 2) {
        this.need = dataEnd + 2;
        return this.incomplete();
      }
      if (buffer[dataEnd] !== 0x0d || buffer[dataEnd + 1] !== 0x0a) throw new ParseError(400, 'chunk not followed by CRLF');
      this.chunks.push(buffer.subarray(lineEnd + 2, dataEnd));
      this.chunkedBytes += size;
      this.consume(dataEnd + 2);
    }
  }

  private incomplete(): ParseResult {
    return { kind: 'incomplete', expectsContinue: this.head?.expectsContinue ?? false };
  }

  /** The pending bytes as one buffer (joining them if they arrived in pieces). */
  private joined(): Buffer {
    if (this.pending.length !== 1) this.pending = [Buffer.concat(this.pending, this.pendingBytes)];
    return this.pending[0]!;
  }

  private consume(bytes: number): void {
    const rest = this.joined().subarray(bytes);
    this.pending = [rest];
    this.pendingBytes = rest.length;
  }

  private finish(kind: 'request' | 'tooLarge', body: Buffer): ParseResult {
    const { method, path, headers, keepAlive } = this.head!.request;
    const request: ParsedRequest = { method, path, headers, keepAlive, body };
    this.head = undefined;
    this.chunks = [];
    this.chunkedBytes = 0;
    return { kind, request };
  }
}

function parseHead(text: string): Head {
  const firstEnd = lineEnd(text, 0);
  const line = REQUEST_LINE.exec(text.slice(0, firstEnd));
  if (!line) throw new ParseError(400, 'malformed request line');
  const headers = parseFields(text, firstEnd + 2, {});
  const version11 = line[3] === '1';
  const connection = one(headers, 'connection')?.toLowerCase() ?? '';
  const keepAlive = version11 ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /(^|,)\s*keep-alive\s*(,|$)/.test(connection);
  if (Array.isArray(headers.host)) throw new ParseError(400, 'more than one Host');
  const body = bodyOf(headers);
  const expect = one(headers, 'expect');
  if (expect !== undefined && expect.toLowerCase() !== '100-continue') throw new ParseError(417, 'unsupported expectation');
  return {
    request: { method: line[1]!, path: line[2]!, headers, keepAlive },
    body,
    expectsContinue: expect !== undefined && version11,
  };
}

const isBlank = (c: number): boolean => c === 0x20 || c === 0x09;

/** Where the line that starts at `from` ends (its CRLF, or the end of the text); a bare CR or LF before that is refused. */
function lineEnd(text: string, from: number): number {
  const crlf = text.indexOf('\r\n', from);
  const end = crlf < 0 ? text.length : crlf;
  const cr = text.indexOf('\r', from);
  const lf = text.indexOf('\n', from);
  if ((cr >= 0 && cr < end) || (lf >= 0 && lf < end)) throw new ParseError(400, 'bare CR or LF in a header section');
  return end;
}

/**
 * The header fields of `text` from `start` (a head after its request line, or a chunked body's trailers) into
 * `headers`: `name: value` lines, the name a token (so no line folded onto the previous one), the value trimmed,
 * no control character but tab anywhere.
 */
function parseFields(text: string, start: number, headers: Record<string, string | string[]>): Record<string, string | string[]> {
  if (CONTROL.test(text)) throw new ParseError(400, 'control character in a header section');
  while (start < text.length) {
    const end = lineEnd(text, start);
    const colon = text.indexOf(':', start);
    if (colon <= start || colon > end) throw new ParseError(400, 'malformed header line');
    const name = text.slice(start, colon);
    if (!TOKEN.test(name)) throw new ParseError(400, 'malformed header name');
    let from = colon + 1;
    let to = end;
    while (from < to && isBlank(text.charCodeAt(from))) from++;
    while (to > from && isBlank(text.charCodeAt(to - 1))) to--;
    const value = text.slice(from, to);
    const key = name.toLowerCase();
    const earlier = Object.hasOwn(headers, key) ? headers[key] : undefined;
    if (earlier === undefined) define(headers, key, value);
    else if (typeof earlier === 'string') headers[key] = [earlier, value];
    else earlier.push(value);
    start = end + 2;
  }
  return headers;
}

/**
 * Sets a header on a plain object (fast properties, unlike a prototype-less one), where a header named
 * `__proto__` must become a property like any other rather than set the object's prototype.
 */
function define(headers: Record<string, string | string[]>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(headers, key, { value, enumerable: true, writable: true, configurable: true });
  else headers[key] = value;
}

/** A header's values joined as one list (RFC 9110 §5.3), or undefined when absent. */
function one(headers: Record<string, string | string[]>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function bodyOf(headers: Record<string, string | string[]>): Body {
  const te = one(headers, 'transfer-encoding');
  const cl = headers['content-length'];
  if (te !== undefined) {
    if (cl !== undefined) throw new ParseError(400, 'both Transfer-Encoding and Content-Length');
    if (te.toLowerCase() !== 'chunked') throw new ParseError(400, 'unsupported Transfer-Encoding');
    return { kind: 'chunked' };
  }
  if (cl === undefined) return { kind: 'length', length: 0 };
  const values = Array.isArray(cl) ? cl : [cl];
  if (!values.every((v) => DIGITS.test(v) && v === values[0])) throw new ParseError(400, 'malformed Content-Length');
  if (Array.isArray(cl)) headers['content-length'] = values[0]!;
  return { kind: 'length', length: Number(values[0]) };
}
