/**
 * The XKS proxy API v1 on the wire (aws/aws-kms-xksproxy-api-spec), as both Trent's client of a proxy and its
 * own proxy speak it: the operations' paths under a store's URI path, and the errors with their statuses.
 */
export const XKS_SERVICE = 'kms-xks-proxy';

/** Every errorName of the spec's error table, with its HTTP status. */
export const XKS_ERRORS = {
  ValidationException: 400,
  InvalidStateException: 400,
  InvalidCiphertextException: 400,
  InvalidKeyUsageException: 400,
  AuthenticationFailedException: 401,
  AccessDeniedException: 403,
  KeyNotFoundException: 404,
  InvalidUriPathException: 404,
  ThrottlingException: 429,
  UnsupportedOperationException: 501,
  DependencyTimeoutException: 503,
  InternalException: 500,
} as const;

export type XksErrorName = keyof typeof XKS_ERRORS;

export function isXksErrorName(name: unknown): name is XksErrorName {
  return typeof name === 'string' && Object.hasOwn(XKS_ERRORS, name);
}

/** The operation a key's path names (…/keys/<externalKeyId>/<this>). */
export type KeyOperation = 'metadata' | 'encrypt' | 'decrypt';
