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
// In a head, no control character but tab (and CR LF as line ends, checked as lines are split).
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const REQUEST_LINE = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+) (\/[\x21-\x7e]*) HTTP\/1\.([01])$/;
const DIGITS = /^\d{1,15}$/;
const CHUNK_SIZE = /^([0-9a-fA-F]{1,8})(?:[ \t]*;.*)?$/;

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
  private buffer: Buffer = Buffer.alloc(0);
  private head: Head | undefined;
  /** Chunked bodies: the chunks decoded so far, their total, and where the next chunk starts in the buffer. */
  private chunks: Buffer[] = [];
  private chunkedBytes = 0;

  constructor(private readonly limits: ParserLimits) {}

  push(data: Buffer): void {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
  }

  /** Bytes received and not yet part of a returned request. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Whether some of a request has arrived (its timeouts run from then). */
  get started(): boolean {
    return this.head !== undefined || this.buffer.length > 0;
  }

  /** Whether the whole head of the current request has arrived. */
  get headComplete(): boolean {
    return this.head !== undefined;
  }

  next(): ParseResult {
    if (!this.head) {
      const end = this.buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (this.buffer.length > this.limits.maxHeaderBytes) throw new ParseError(431, 'request header fields too large');
        return { kind: 'incomplete', expectsContinue: false };
      }
      if (end + 4 > this.limits.maxHeaderBytes) throw new ParseError(431, 'request header fields too large');
      this.head = parseHead(this.buffer.toString('latin1', 0, end));
      this.buffer = this.buffer.subarray(end + 4);
      const { body } = this.head;
      if (body.kind === 'length' && body.length > this.limits.maxBodyBytes) return this.finish('tooLarge', Buffer.alloc(0));
    }
    const { body, expectsContinue } = this.head;
    if (body.kind === 'length') {
      if (this.buffer.length < body.length) return { kind: 'incomplete', expectsContinue };
      const content = this.buffer.subarray(0, body.length);
      this.buffer = this.buffer.subarray(body.length);
      return this.finish('request', content);
    }
    return this.nextChunks();
  }

  private nextChunks(): ParseResult {
    for (;;) {
      const lineEnd = this.buffer.indexOf(CRLF);
      if (lineEnd < 0) {
        if (this.buffer.length > 1024) throw new ParseError(400, 'chunk size line too long');
        return { kind: 'incomplete', expectsContinue: this.head!.expectsContinue };
      }
      const m = CHUNK_SIZE.exec(this.buffer.toString('latin1', 0, lineEnd));
      if (!m) throw new ParseError(400, 'malformed chunk size');
      const size = parseInt(m[1]!, 16);
      if (size === 0) {
        // The last chunk, then trailer fields (read past, not used), then an empty line.
        const trailer = lineEnd + 2;
        const end = this.buffer[trailer] === 0x0d && this.buffer[trailer + 1] === 0x0a ? trailer + 2 : this.trailerEnd(trailer);
        if (end < 0) return { kind: 'incomplete', expectsContinue: false };
        this.buffer = this.buffer.subarray(end);
        return this.finish('request', Buffer.concat(this.chunks, this.chunkedBytes));
      }
      if (this.chunkedBytes + size > this.limits.maxBodyBytes) return this.finish('tooLarge', Buffer.alloc(0));
      const dataEnd = lineEnd + 2 + size;
      if (this.buffer.length < dataEnd + 2) return { kind: 'incomplete', expectsContinue: false };
      if (this.buffer[dataEnd] !== 0x0d || this.buffer[dataEnd + 1] !== 0x0a) throw new ParseError(400, 'chunk not followed by CRLF');
      this.chunks.push(this.buffer.subarray(lineEnd + 2, dataEnd));
      this.chunkedBytes += size;
      this.buffer = this.buffer.subarray(dataEnd + 2);
    }
  }

  /** Where the trailer fields that start at `from` end (after the empty line), or -1 if they have not all arrived. */
  private trailerEnd(from: number): number {
    const end = this.buffer.indexOf(HEAD_END, from);
    if (end < 0 && this.buffer.length - from > this.limits.maxHeaderBytes) throw new ParseError(431, 'trailer fields too large');
    return end < 0 ? -1 : end + 4;
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
  // One scan for control characters other than tab, CR and LF; lone CRs and LFs are caught line by line.
  if (CONTROL.test(text)) throw new ParseError(400, 'control character in the request head');
  const lineEnd = (from: number) => {
    const crlf = text.indexOf('\r\n', from);
    const end = crlf < 0 ? text.length : crlf;
    // Before the line's CRLF there is no CR, and no LF that would end a line the client meant otherwise.
    const cr = text.indexOf('\r', from);
    const lf = text.indexOf('\n', from);
    if ((cr >= 0 && cr < end) || (lf >= 0 && lf < end)) throw new ParseError(400, 'bare CR or LF in the request head');
    return end;
  };
  const firstEnd = lineEnd(0);
  const line = REQUEST_LINE.exec(text.slice(0, firstEnd));
  if (!line) throw new ParseError(400, 'malformed request line');
  const headers: Record<string, string | string[]> = {};
  for (let start = firstEnd + 2; start < text.length;) {
    const end = lineEnd(start);
    const colon = text.indexOf(':', start);
    // A line folded onto the previous one (it starts with a space) or a name that is not a token.
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
