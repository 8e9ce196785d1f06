import { KmsError, type ErrorName } from '../../model/errors.js';
import type { ConnectionErrorCodeType } from '../../model/types.gen.js';
import type { XksFailure } from './xks-port.js';

/**
 * The XKS proxy API spec's mapping of proxy failures to KMS errors (its "KMS Considerations" table under Error
 * codes): one message per failure, and an exception that depends on what KMS was doing. KMS never passes on the
 * proxy's own errorMessage.
 */
export type XksCallSite = 'manageStore' | 'createKey' | 'crypto';

const CANNOT_INTERPRET = 'AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.';

interface Row {
  readonly message: string;
  /** Create/UpdateCustomKeyStore's exception; where the spec names none, the proxy's answer is not one it expects there. */
  readonly manageStore: ErrorName;
  readonly createKey: ErrorName;
  /** What a failed GetHealthStatus during ConnectCustomKeyStore leaves as the store's ConnectionErrorCode. */
  readonly connection: ConnectionErrorCodeType;
}

const UNREACHABLE = 'XksProxyUriUnreachableException';
const STORE_STATE = 'CustomKeyStoreInvalidStateException';
const INVALID_RESPONSE = 'XksProxyInvalidResponseException';

const TABLE: Readonly<Record<XksFailure, Row>> = {
  ValidationException: { message: CANNOT_INTERPRET, manageStore: INVALID_RESPONSE, createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_RESPONSE' },
  InvalidResponse: { message: CANNOT_INTERPRET, manageStore: INVALID_RESPONSE, createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_RESPONSE' },
  InvalidStateException: {
    message: 'The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.',
    manageStore: INVALID_RESPONSE, createKey: 'XksKeyInvalidConfigurationException', connection: 'XKS_PROXY_INVALID_RESPONSE',
  },
  InvalidCiphertextException: {
    message: 'The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.',
    manageStore: INVALID_RESPONSE, createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_RESPONSE',
  },
  InvalidKeyUsageException: {
    message: 'The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.',
    manageStore: INVALID_RESPONSE, createKey: 'XksKeyInvalidConfigurationException', connection: 'XKS_PROXY_INVALID_RESPONSE',
  },
  AuthenticationFailedException: {
    message: 'The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.',
    manageStore: 'XksProxyIncorrectAuthenticationCredentialException', createKey: STORE_STATE, connection: 'INVALID_CREDENTIALS',
  },
  AccessDeniedException: {
    message: 'The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.',
    manageStore: INVALID_RESPONSE, createKey: 'KMSInvalidStateException', connection: 'XKS_PROXY_ACCESS_DENIED',
  },
  KeyNotFoundException: {
    message: 'The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.',
    manageStore: INVALID_RESPONSE, createKey: 'XksKeyNotFoundException', connection: 'XKS_PROXY_INVALID_RESPONSE',
  },
  InvalidUriPathException: {
    message: 'The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.',
    manageStore: 'XksProxyInvalidConfigurationException', createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_CONFIGURATION',
  },
  // The spec names an XksKeyInvalidResponseException for CreateKey, which the API model does not have: the
  // store's state exception is what the model lets CreateKey answer for a proxy that cannot do what it asks.
  UnsupportedOperationException: {
    message: 'The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.',
    manageStore: INVALID_RESPONSE, createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_RESPONSE',
  },
  DependencyTimeoutException: {
    message: 'The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.',
    manageStore: UNREACHABLE, createKey: STORE_STATE, connection: 'XKS_PROXY_TIMED_OUT',
  },
  ThrottlingException: {
    message: 'The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.',
    manageStore: UNREACHABLE, createKey: STORE_STATE, connection: 'XKS_PROXY_NOT_REACHABLE',
  },
  InternalException: {
    message: 'The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.',
    manageStore: INVALID_RESPONSE, createKey: STORE_STATE, connection: 'XKS_PROXY_NOT_REACHABLE',
  },
  Unreachable: {
    message: 'AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.',
    manageStore: UNREACHABLE, createKey: STORE_STATE, connection: 'XKS_PROXY_NOT_REACHABLE',
  },
  TlsFailure: {
    message: 'AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.',
    manageStore: UNREACHABLE, createKey: STORE_STATE, connection: 'XKS_PROXY_INVALID_TLS_CONFIGURATION',
  },
  Timeout: {
    message: 'AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.',
    manageStore: UNREACHABLE, createKey: STORE_STATE, connection: 'XKS_PROXY_TIMED_OUT',
  },
};

/** The KMS error for a failed proxy call made while doing `site`. Cryptographic operations always answer KMSInvalidStateException. */
export function xksError(failure: XksFailure, site: XksCallSite): KmsError {
  const row = TABLE[failure];
  const name = site === 'crypto' ? 'KMSInvalidStateException' : row[site];
  return new KmsError(name, row.message);
}

export function connectionErrorCode(failure: XksFailure): ConnectionErrorCodeType {
  return TABLE[failure].connection;
}

/** Decrypt's failure when what the proxy returned is not the ciphertext Trent gave it (the spec's "invalid ciphertext" row). */
export function proxyReturnedInvalidCiphertext(): KmsError {
  return new KmsError('KMSInvalidStateException',
    'The ciphertext that the external key store proxy submitted for decryption, or the encryption context, is corrupted, missing, or otherwise invalid.');
}
