import type { Caller } from '../model/caller.js';
import { KmsError } from '../model/errors.js';
import { parseAuthorization, requireSignedHeaders, verifySignature } from '../protocol/authenticate.js';
import { partitionOf } from '../util/arn.js';
import type { Clock } from '../util/clock.js';
import type { HttpRequestParts } from '../util/sigv4.js';
import type { AccessKeys } from './access-keys.js';
import type { Config } from './config.js';

export type Authenticator = (req: HttpRequestParts) => Promise<Caller>;

const ACCOUNT_ID = /^\d{12}$/;

/**
 * dev: any credentials. The Region comes from the credential scope (the default Region when the request is
 * unsigned); the account is the access key ID when that is 12 digits (so tests can act as several accounts),
 * otherwise the configured account.
 */
export function devAuthenticator(config: Config): Authenticator {
  return async (req) => {
    if (!req.headers.authorization) {
      return caller(config.accountId, config.defaultRegion, 'anonymous', 'root');
    }
    const auth = parseAuthorization(req);
    const accountId = ACCOUNT_ID.test(auth.accessKeyId) ? auth.accessKeyId : config.accountId;
    return caller(accountId, auth.region, auth.accessKeyId, 'root');
  };
}

/** serve: the signature is verified against the stored secret of the access key; an unknown key is refused. */
export function serveAuthenticator(config: Config, accessKeys: AccessKeys, clock: Clock): Authenticator {
  return async (req) => {
    const now = clock.now();
    const auth = parseAuthorization(req, { now, maxSkewMs: config.maxSkewMs });
    requireSignedHeaders(req, auth);
    const identity = auth.sessionToken === undefined ? await accessKeys.lookup(auth.accessKeyId) : undefined;
    if (!identity) {
      throw new KmsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    verifySignature(req, auth, identity.signingKeys);
    return caller(identity.accountId, auth.region, identity.accessKeyId, `user/${identity.userName}`);
  };
}

function caller(accountId: string, region: string, accessKeyId: string, resource: string): Caller {
  return { accountId, region, accessKeyId, principalArn: `arn:${partitionOf(region)}:iam::${accountId}:${resource}` };
}
