import { signedHeaders, type Credentials } from './sigv4.ts';

/**
 * The console is a client like any other: it calls Trent's public APIs on the server it was loaded from, each
 * request signed in this tab. KMS speaks JSON 1.1; IAM and STS speak the query protocol (form in, XML out).
 */
export interface Session {
  readonly credentials: Credentials;
  readonly region: string;
}

/** An API's refusal, with its error code and message, or a network failure (code 'NetworkError'). */
export class ApiError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** IAM is global: its requests are signed for us-east-1 whatever Region the console shows (as AWS does). */
const IAM_SIGNING_REGION = 'us-east-1';

async function post(session: Session, service: string, region: string, headers: Record<string, string>, body: string): Promise<Response> {
  const signed = await signedHeaders({ host: location.host, region, service, headers, body, credentials: session.credentials });
  try {
    return await fetch('/', { method: 'POST', headers: signed, body, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError('NetworkError', 'Trent could not be reached. Check that the server is running, then try again.');
  }
}

export async function kms<T = Record<string, unknown>>(session: Session, operation: string, input: object = {}): Promise<T> {
  const response = await post(session, 'kms', session.region, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `TrentService.${operation}`,
  }, JSON.stringify(input));
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new ApiError('InvalidResponse', `The server's answer to ${operation} was not JSON (HTTP ${response.status}).`);
  }
  if (!response.ok) {
    const type = String(parsed.__type ?? response.headers.get('x-amzn-errortype') ?? `HTTP${response.status}`);
    throw new ApiError(type.split('#').pop()!.split(':')[0]!, String(parsed.message ?? parsed.Message ?? ''));
  }
  return parsed as T;
}

/** A query-protocol call (IAM, STS): the answer's XML document, or an ApiError from its <Error> (or a JSON refusal). */
export async function query(session: Session, service: 'iam' | 'sts', action: string, params: Record<string, string> = {}): Promise<Document> {
  const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
  const body = new URLSearchParams({ Action: action, Version: version, ...params }).toString();
  const region = service === 'iam' ? IAM_SIGNING_REGION : session.region;
  const response = await post(session, service, region, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body);
  const text = await response.text();
  if (response.headers.get('content-type')?.includes('json')) {
    // A server without this API answers as the KMS endpoint does.
    let parsed: Record<string, unknown> = {};
    try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { /* the status says enough */ }
    throw new ApiError(String(parsed.__type ?? `HTTP${response.status}`), String(parsed.message ?? ''));
  }
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (!response.ok || doc.querySelector('parsererror')) {
    const code = doc.querySelector('Error > Code')?.textContent ?? `HTTP${response.status}`;
    throw new ApiError(code, doc.querySelector('Error > Message')?.textContent ?? '');
  }
  return doc;
}

/** Every page of a KMS list operation that pages with Marker/NextMarker/Truncated. */
export async function listAll<T>(session: Session, operation: string, input: object, member: string): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await kms<Record<string, unknown>>(session, operation, { ...input, ...(marker ? { Marker: marker } : {}) });
    items.push(...((page[member] as T[] | undefined) ?? []));
    marker = page.Truncated ? (page.NextMarker as string) : undefined;
  } while (marker);
  return items;
}

/** What went wrong, in plain words for a person (the API's own message kept: it usually names the cause). */
export function plainError(e: unknown): string {
  if (!(e instanceof ApiError)) return `Something went wrong in the console: ${e instanceof Error ? e.message : String(e)}`;
  const said = e.message ? ` ${e.message}${/[.!?]$/.test(e.message) ? '' : '.'}` : '';
  const lead = ((): string => {
    switch (e.code) {
      case 'NetworkError': return '';
      case 'AccessDeniedException': case 'AccessDenied': return 'You are not allowed to do this with these credentials.';
      case 'UnrecognizedClientException': case 'InvalidClientTokenId': case 'InvalidSignatureException': case 'IncompleteSignatureException':
        return 'Trent did not accept this access key. Check the access key ID and the secret access key.';
      case 'NotFoundException': return 'Not found: it may have been deleted, or be in another Region.';
      case 'AlreadyExistsException': return 'That name is already taken in this Region.';
      case 'KMSInvalidStateException': return 'The key is not in a state that allows this.';
      case 'MalformedPolicyDocumentException': return 'The key policy was refused.';
      case 'LimitExceededException': return 'A limit was reached.';
      case 'ValidationException': return 'A value was refused.';
      case 'UnsupportedOperationException': return 'This is not available on this server.';
      case 'KMSInternalException': return 'The server failed to complete the request. Try again.';
      default: return `The request failed (${e.code}).`;
    }
  })();
  return `${lead}${said}`.trim();
}
