import { SHAPES } from './shapes.gen.js';
import type { ModelErrorName } from './types.gen.js';

/**
 * Errors that every AWS JSON service can return but that the KMS model does not declare (they come from the
 * common service framework: authentication, parsing, request size); only those Trent answers.
 */
const COMMON_ERRORS = {
  ValidationException: 400,
  SerializationException: 400,
  UnknownOperationException: 400,
  AccessDeniedException: 400,
  // Undeclared by the model, but what AWS answers (with no message) for an alias name under alias/aws/.
  NotAuthorizedException: 400,
  UnrecognizedClientException: 400,
  InvalidSignatureException: 400,
  IncompleteSignatureException: 400,
  MissingAuthenticationTokenException: 400,
  // Temporary (STS) credentials past their expiry.
  ExpiredTokenException: 400,
  RequestEntityTooLargeException: 413,
  // A request-rate quota spent (ops/quotas/request-rates.ts); SDKs retry it with backoff.
  ThrottlingException: 400,
} as const;

export type CommonErrorName = keyof typeof COMMON_ERRORS;
export type ErrorName = ModelErrorName | CommonErrorName;

/** HTTP status of an error: 500 for the model's server faults, the common table's value otherwise 400. */
export function errorStatus(name: ErrorName): number {
  if (name in COMMON_ERRORS) return COMMON_ERRORS[name as CommonErrorName];
  return SHAPES[name]?.fault ? 500 : 400;
}

/** An AWS-shaped error: serialized as {"__type": name, "message": message} (no message when empty) with the error's status. */
export class KmsError extends Error {
  readonly status: number;
  /**
   * What the operator's log may say beyond the message, never sent to the client: for an AccessDeniedException,
   * the policy statement that decided.
   */
  readonly detail?: string | undefined;
  constructor(readonly type: ErrorName, message = '', detail?: string) {
    super(message);
    if (detail !== undefined) this.detail = detail;
    this.name = type;
    this.status = errorStatus(type);
  }
}
