import type { Caller } from '../model/caller.js';
import { KmsError } from '../model/errors.js';
import { parseAuthorization, requireSignedHeaders, verifySignature, type ParsedAuthorization } from '../protocol/authenticate.js';
import { accountRootArn, partitionOf } from '../util/arn.js';
import type { Clock } from '../util/clock.js';
import type { HttpRequestParts } from '../util/sigv4.js';
import { tokenMatches, type AccessKeys, type KnownAccessKey } from './access-keys.js';
import type { Config } from './config.js';

/** Establishes the caller of a request whose credential scope must name `service` (kms, iam, sts). */
export type Authenticator = (req: HttpRequestParts, service: string) => Promise<Caller>;

const ACCOUNT_ID = /^\d{12}$/;

const INVALID_TOKEN = 'The security token included in the request is invalid.';

/**
 * dev: any credentials. The Region comes from the credential scope (the default Region when the request is
 * unsigned); the account is the access key ID when that is 12 digits (so tests can act as several accounts),
 * otherwise the configured account; the caller is that account's root. With --enforce-policies, an access key
 * the store knows (an IAM user's, an STS session's) is checked as serve checks it and makes the caller its
 * identity, so policies can be tested; any other key stays the root.
 */
export function devAuthenticator(config: Config, accessKeys: AccessKeys, clock: Clock): Authenticator {
  return async (req, service) => {
    if (!req.headers.authorization) return rootCaller(config.accountId, config.defaultRegion, 'anonymous');
    const auth = parseAuthorization(req, { service });
    const known = config.enforcePolicies ? await accessKeys.lookup(auth.accessKeyId) : undefined;
    if (known) return verified(req, auth, known, clock.now());
    const accountId = ACCOUNT_ID.test(auth.accessKeyId) ? auth.accessKeyId : config.accountId;
    return rootCaller(accountId, auth.region, auth.accessKeyId);
  };
}

/** serve: the signature is verified against the stored secret of the access key; an unknown or Inactive key is refused. */
export function serveAuthenticator(config: Config, accessKeys: AccessKeys, clock: Clock): Authenticator {
  return async (req, service) => {
    const now = clock.now();
    const auth = parseAuthorization(req, { service, now, maxSkewMs: config.maxSkewMs });
    requireSignedHeaders(req, auth);
    const known = await accessKeys.lookup(auth.accessKeyId);
    if (!known) throw new KmsError('UnrecognizedClientException', INVALID_TOKEN);
    return verified(req, auth, known, now);
  };
}

/**
 * The caller a known key makes, once the request proves it holds the secret: a session's credentials need its
 * token (and no other key takes one), and stop at their expiry.
 */
function verified(req: HttpRequestParts, auth: ParsedAuthorization, known: KnownAccessKey, now: Date): Caller {
  const tokenOk = known.session ? tokenMatches(known, auth.sessionToken) : auth.sessionToken === undefined;
  if (!tokenOk) throw new KmsError('UnrecognizedClientException', INVALID_TOKEN);
  verifySignature(req, auth, known.signingKeys);
  if (known.session && known.session.expiresAt.getTime() <= now.getTime()) {
    throw new KmsError('ExpiredTokenException', 'The security token included in the request is expired');
  }
  const partition = partitionOf(auth.region);
  return {
    accountId: known.accountId, region: auth.region, accessKeyId: known.accessKeyId,
    principalArn: `arn:${partition}:${known.principal}`,
    identityArn: known.identity && `arn:${partition}:${known.identity}`,
  };
}

function rootCaller(accountId: string, region: string, accessKeyId: string): Caller {
  return { accountId, region, accessKeyId, principalArn: accountRootArn(partitionOf(region), accountId) };
}
