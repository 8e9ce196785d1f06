import { isUtf8 } from 'node:buffer';
import type { Caller } from '../model/caller.js';
import { KmsError } from '../model/errors.js';
import { OPERATIONS, TARGET_PREFIX } from '../model/shapes.gen.js';
import type { OperationName } from '../model/types.gen.js';
import { newRequestId } from '../util/ids.js';
import type { HttpRequestParts } from '../util/sigv4.js';
import { claimedAccessKeyId } from './authenticate.js';
import { decodeInput, encodeOutput, type DecodeLimits } from './decode.js';

export interface WireResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The operation answered, once routed (for the server's metrics). */
  readonly operation?: OperationName | undefined;
  /** Who asked what of which key, for the request log (never an input's value: it may be a plaintext). */
  readonly facts?: RequestLogFacts;
}

export interface RequestLogFacts {
  readonly requestId: string;
  readonly caller: Caller | undefined;
  /** The first key the request reached (resolved: what a caller typed is not repeated into a log line). */
  readonly keyId: string | undefined;
  /** What the operator may know of a refusal beyond its message (KmsError.detail: the statement that decided). */
  readonly detail?: string | undefined;
}

/** A request once routed, authenticated and decoded: what its handler runs on, and what its audit record says. */
export interface RequestFacts {
  readonly requestId: string;
  readonly operation: OperationName;
  readonly caller: Caller;
  readonly input: unknown;
  readonly sourceIp: string | undefined;
  /** Whether the request came over TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
  readonly userAgent: string | undefined;
  readonly time: Date;
}

/** What one request did, for the audit trail: never a secret (the input is redacted by the audit layer). */
export interface RequestOutcome {
  readonly requestId: string;
  /** The query-protocol service answered (protocol/query/); absent for KMS. */
  readonly service?: 'iam' | 'sts' | undefined;
  readonly operation: string | undefined;
  readonly caller: Caller | undefined;
  /** When authentication failed: the access key ID the request was signed with, if it named one. */
  readonly triedAccessKeyId: string | undefined;
  readonly input: unknown;
  /** The error answered, by its wire name; `detail` is for the operator's log only (KmsError.detail). */
  readonly error: { readonly code: string; readonly message: string; readonly detail?: string | undefined } | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly time: Date;
}

/**
 * What running the operation tells its audit record, filled in by `invoke` (even when it fails) and read by
 * `record`: the keys the request reached, and whether its record was already committed with its writes.
 */
export interface AuditNotes {
  readonly keys: Array<{ readonly accountId: string; readonly region: string; readonly keyId: string }>;
  /** The calls the request made to custom key stores' backings (XKS proxies): each one's latency and outcome. */
  readonly externalCalls: Array<{ readonly customKeyStoreId: string; readonly operation: string; readonly latencyMs: number; readonly outcome: string }>;
  recorded: boolean;
  /** What a successful request does once its record is durable, and not if it is refused for want of one. */
  afterRecord?: () => void;
}

/** The pipeline's collaborators, supplied by the server: it knows neither keys nor stores. */
export interface PipelineHooks {
  /**
   * Establishes the caller from the request (posture-specific: dev accepts any credentials), whose credential
   * scope must name `service` (kms, iam or sts).
   */
  authenticate(req: HttpRequestParts, service: string): Promise<Caller>;
  /** Runs the operation: a request that writes commits its audit record with its writes, and says so in `notes`. */
  invoke(request: RequestFacts, notes: AuditNotes): Promise<unknown>;
  /**
   * Makes the request's audit record durable, unless `notes` say it already is. Called once per request after
   * the response is decided and before it is sent: when it fails, the answer is KMSInternalException instead.
   */
  record(outcome: RequestOutcome, notes: AuditNotes): Promise<void>;
  /** Logs an unexpected failure (a bug, or the audit trail unwritable), which the client sees only as KMSInternalException. */
  onInternalError(error: unknown, requestId: string): void;
  /** What the decoder refuses beyond the model (quotas configured on the server). */
  readonly decodeLimits: DecodeLimits;
}

export interface RequestMeta {
  readonly sourceIp?: string | undefined;
  /** Whether the request came over TLS. */
  readonly secureTransport: boolean;
  readonly time: Date;
}

const JSON_11 = 'application/x-amz-json-1.1';

/**
 * One KMS request, phase by phase: route by X-Amz-Target → authenticate → parse JSON → decode and
 * validate against the model → invoke the handler → serialize → record. Every failure becomes an
 * AWS-shaped error; a failure that is not a KmsError is a bug and answers KMSInternalException. Nothing is
 * answered before its audit record is durable: a request whose record cannot be written answers
 * KMSInternalException, and has changed nothing (a write's record commits in its transaction, or neither does).
 * `refusal` is the HTTP layer's verdict on a request it would not read (a body over the limit): answered
 * and recorded like any other failure, so every request reaches the audit trail.
 */
export async function handleKmsRequest(req: HttpRequestParts, meta: RequestMeta, hooks: PipelineHooks,
  refusal?: KmsError): Promise<WireResponse> {
  const requestId = newRequestId();
  const userAgentHeader = req.headers['user-agent'];
  const userAgent = typeof userAgentHeader === 'string' ? userAgentHeader : undefined;
  const notes: AuditNotes = { keys: [], externalCalls: [], recorded: false };
  let operation: OperationName | undefined;
  let caller: Caller | undefined;
  let input: unknown;
  let error: KmsError | undefined;
  let response: WireResponse;
  try {
    if (refusal) {
      operation = routeOrUndefined(req);
      throw refusal;
    }
    operation = route(req);
    caller = await hooks.authenticate(req, 'kms');
    const def = OPERATIONS[operation]!;
    input = def.input ? decodeInput(def.input, parseBody(req.body), hooks.decodeLimits) : {};
    const facts: RequestFacts = {
      requestId, operation, caller, input, sourceIp: meta.sourceIp, secureTransport: meta.secureTransport, userAgent, time: meta.time,
    };
    const output = await hooks.invoke(facts, notes);
    response = reply(operation, 200, requestId, encodeOutput(output) ?? {});
  } catch (e) {
    error = e instanceof KmsError ? e : internal(e, requestId, hooks);
    response = reply(operation, error.status, requestId, errorBody(error), error.type);
  }
  const triedAccessKeyId = caller ? undefined : claimedAccessKeyId(req);
  try {
    const outcome: RequestOutcome = {
      requestId, operation, caller, triedAccessKeyId, input, error: error && { code: error.type, message: error.message, detail: error.detail },
      sourceIp: meta.sourceIp, time: meta.time, userAgent,
    };
    await hooks.record(outcome, notes);
  } catch (e) {
    const failed = internal(e, requestId, hooks);
    response = reply(operation, failed.status, requestId, errorBody(failed), failed.type);
  }
  return { ...response, facts: { requestId, caller, keyId: notes.keys[0]?.keyId, detail: error?.detail } };
}

function route(req: HttpRequestParts): OperationName {
  const target = req.headers['x-amz-target'];
  const value = typeof target === 'string' ? target : undefined;
  const prefix = `${TARGET_PREFIX}.`;
  const op = value?.startsWith(prefix) ? value.slice(prefix.length) : undefined;
  // AWS JSON 1.1 requests go to "/" (Smithy's servers refuse any other path): POST /foo is no KMS call.
  const rootPath = req.path === '/' || req.path.startsWith('/?');
  if (req.method !== 'POST' || !rootPath || !op || !Object.hasOwn(OPERATIONS, op)) {
    throw new KmsError('UnknownOperationException', '');
  }
  return op as OperationName;
}

function routeOrUndefined(req: HttpRequestParts): OperationName | undefined {
  try {
    return route(req);
  } catch {
    return undefined;
  }
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  // Refused, not decoded with U+FFFD in place of the bad bytes: a plaintext or a context would not be what was sent.
  if (!isUtf8(body)) throw new KmsError('SerializationException', 'The request body is not valid UTF-8.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new KmsError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new KmsError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed;
}

function internal(e: unknown, requestId: string, hooks: PipelineHooks): KmsError {
  hooks.onInternalError(e, requestId);
  return new KmsError('KMSInternalException', 'The request could not be completed due to an internal error.');
}

/**
 * AWS sends no `message` member when it has nothing to say (recorded: KMSInvalidSignatureException,
 * InvalidCiphertextException, …), and clients tell the two apart: botocore then has no top-level `message`.
 */
function errorBody(error: KmsError): Record<string, string> {
  return error.message === '' ? { __type: error.type } : { __type: error.type, message: error.message };
}

/** An error also names its type in x-amzn-ErrorType, as AWS's JSON services do (some clients read only that). */
function reply(operation: OperationName | undefined, status: number, requestId: string, payload: unknown, errorType?: string): WireResponse {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const headers: Record<string, string> = {
    'content-type': JSON_11,
    'content-length': String(body.length),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return { status, body, headers, operation };
}
