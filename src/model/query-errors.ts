import { IAM_MODEL, type IamErrorCode } from './iam.gen.js';
import type { QueryErrorDef } from './query-shape.js';
import { STS_MODEL, type StsErrorCode } from './sts.gen.js';

/**
 * Errors every AWS query-protocol service can answer that its model does not declare (they come from the common
 * service framework: parsing, validation, authentication), with their HTTP status; only those Trent answers.
 */
const COMMON_ERRORS = {
  ValidationError: { status: 400, sender: true },
  InvalidAction: { status: 400, sender: true },
  MissingAction: { status: 400, sender: true },
  MalformedInput: { status: 400, sender: true },
  AccessDenied: { status: 403, sender: true },
  InvalidClientTokenId: { status: 403, sender: true },
  SignatureDoesNotMatch: { status: 403, sender: true },
  IncompleteSignature: { status: 400, sender: true },
  MissingAuthenticationToken: { status: 403, sender: true },
  ExpiredToken: { status: 403, sender: true },
  Throttling: { status: 400, sender: true },
  RequestEntityTooLarge: { status: 413, sender: true },
  InternalFailure: { status: 500, sender: false },
} as const satisfies Record<string, QueryErrorDef>;

export type QueryCommonErrorCode = keyof typeof COMMON_ERRORS;
export type QueryErrorCode = IamErrorCode | StsErrorCode | QueryCommonErrorCode;

function definition(code: QueryErrorCode): QueryErrorDef {
  return (COMMON_ERRORS as Record<string, QueryErrorDef>)[code] ?? IAM_MODEL.errors[code] ?? STS_MODEL.errors[code] ??
    { status: 400, sender: true };
}

/**
 * An IAM or STS error: written as <ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message>
 * with the status its model's error shape declares.
 */
export class QueryError extends Error {
  readonly status: number;
  readonly sender: boolean;
  constructor(readonly code: QueryErrorCode, message: string) {
    super(message);
    this.name = code;
    const def = definition(code);
    this.status = def.status;
    this.sender = def.sender;
  }
}
