import type { Caller } from '../../model/caller.js';
import { KmsError, type ErrorName } from '../../model/errors.js';
import { IAM_MODEL } from '../../model/iam.gen.js';
import { QueryError, type QueryErrorCode } from '../../model/query-errors.js';
import type { QueryServiceModel } from '../../model/query-shape.js';
import { STS_MODEL } from '../../model/sts.gen.js';
import { newRequestId } from '../../util/ids.js';
import type { HttpRequestParts } from '../../util/sigv4.js';
import { claimedAccessKeyId } from '../authenticate.js';
import type { AuditNotes, PipelineHooks, RequestFacts, RequestMeta, RequestOutcome, WireResponse } from '../pipeline.js';
import { decodeQueryInput, readParams } from './decode.js';
import { encodeQueryError, encodeQueryOutput } from './encode.js';

export type QueryServiceName = 'iam' | 'sts';

/** The query-protocol services Trent answers on its endpoint, by the SigV4 credential scope's service. */
export const QUERY_SERVICES: Readonly<Record<QueryServiceName, QueryServiceModel>> = { iam: IAM_MODEL, sts: STS_MODEL };

/** A query-protocol request once routed, authenticated and decoded. */
export interface QueryRequestFacts extends Omit<RequestFacts, 'operation'> {
  readonly service: QueryServiceName;
  readonly operation: string;
}

/** What the query pipeline needs beyond the KMS pipeline's hooks: running an IAM or STS operation. */
export interface QueryHooks extends PipelineHooks {
  invokeQuery(request: QueryRequestFacts, notes: AuditNotes): Promise<unknown>;
}

/**
 * The query services' names for the authentication and framework errors the KMS side raises as KmsError (the
 * SigV4 checks are one code, shared by every service; only their names differ by protocol).
 */
const QUERY_CODE: Partial<Record<ErrorName, QueryErrorCode>> = {
  UnrecognizedClientException: 'InvalidClientTokenId',
  InvalidSignatureException: 'SignatureDoesNotMatch',
  IncompleteSignatureException: 'IncompleteSignature',
  MissingAuthenticationTokenException: 'MissingAuthenticationToken',
  ExpiredTokenException: 'ExpiredToken',
  AccessDeniedException: 'AccessDenied',
  ThrottlingException: 'Throttling',
  RequestEntityTooLargeException: 'RequestEntityTooLarge',
  ValidationException: 'ValidationError',
};

function asQueryError(e: KmsError): QueryError {
  return new QueryError(QUERY_CODE[e.type] ?? 'InternalFailure', e.message);
}

/**
 * One IAM or STS request, phase by phase, as handleKmsRequest does a KMS one: route by Action → authenticate →
 * decode the form parameters and validate them against the model → invoke → write XML → record. Every
 * failure becomes an XML error; one that is neither a QueryError nor a KmsError is a bug (InternalFailure).
 */
export async function handleQueryRequest(service: QueryServiceName, req: HttpRequestParts, meta: RequestMeta,
  hooks: QueryHooks, refusal?: KmsError): Promise<WireResponse> {
  const model = QUERY_SERVICES[service];
  const requestId = newRequestId();
  const userAgentHeader = req.headers['user-agent'];
  const userAgent = typeof userAgentHeader === 'string' ? userAgentHeader : undefined;
  const notes: AuditNotes = { keys: [], recorded: false, externalCalls: [] };
  let operation: string | undefined;
  let caller: Caller | undefined;
  let input: unknown;
  let error: QueryError | undefined;
  let response: WireResponse;
  try {
    if (refusal) throw refusal;
    const params = readParams(req.path, req.body);
    const action = params.get('Action');
    if (!action) throw new QueryError('MissingAction', 'Missing Action');
    if (!Object.hasOwn(model.operations, action)) {
      throw new QueryError('InvalidAction', `Could not find operation ${action} for version ${model.apiVersion}`);
    }
    operation = action;
    caller = await hooks.authenticate(req, service);
    const def = model.operations[action]!;
    input = def.input ? decodeQueryInput(model, def.input, params) : {};
    const facts: QueryRequestFacts = {
      requestId, service, operation, caller, input, sourceIp: meta.sourceIp, secureTransport: meta.secureTransport, userAgent, time: meta.time,
    };
    const output = await hooks.invokeQuery(facts, notes);
    response = reply(200, encodeQueryOutput(model, action, output, requestId), requestId);
  } catch (e) {
    error = e instanceof QueryError ? e : e instanceof KmsError ? asQueryError(e) : internal(e, requestId, hooks);
    response = reply(error.status, encodeQueryError(model, error, requestId), requestId);
  }
  try {
    const outcome: RequestOutcome = {
      requestId, service, operation, caller, triedAccessKeyId: caller ? undefined : claimedAccessKeyId(req), input,
      error: error && { code: error.code, message: error.message }, sourceIp: meta.sourceIp, time: meta.time, userAgent,
    };
    await hooks.record(outcome, notes);
  } catch (e) {
    const failed = internal(e, requestId, hooks);
    return reply(failed.status, encodeQueryError(model, failed, requestId), requestId);
  }
  return response;
}

function internal(e: unknown, requestId: string, hooks: PipelineHooks): QueryError {
  hooks.onInternalError(e, requestId);
  return new QueryError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.');
}

function reply(status: number, xml: string, requestId: string): WireResponse {
  const body = Buffer.from(xml, 'utf8');
  return { status, body, headers: { 'content-type': 'text/xml', 'content-length': String(body.length), 'x-amzn-requestid': requestId } };
}
