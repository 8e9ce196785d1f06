import { randomBytes } from 'node:crypto';
import { KmsError } from '../../model/errors.js';
import type { KeyRef } from '../../store/types.js';

/**
 * Grant tokens. AWS's are opaque; CreateGrant answers a new one each time, even for a grant that already
 * existed (its Name made the request idempotent), and every token of a grant works. Trent's name the grant
 * (account, Region, key, grant ID) plus a random part: a grant is in force once CreateGrant answers, so a
 * token is needed only to name a grant to RetireGrant, and the grant itself decides who may retire it. The
 * GrantTokens parameter of other operations is accepted and needs nothing: every grant is already in force.
 */
const PREFIX = 'trent-grant-1';

export function newGrantToken(ref: KeyRef, grantId: string): string {
  const text = [PREFIX, ref.accountId, ref.region, ref.keyId, grantId, randomBytes(16).toString('hex')].join(' ');
  return Buffer.from(text, 'utf8').toString('base64url');
}

/** The grant a token names, or InvalidGrantTokenException for a token Trent did not make. */
export function grantOfToken(token: string): { ref: KeyRef; grantId: string } {
  const parts = Buffer.from(token, 'base64url').toString('utf8').split(' ');
  if (parts.length !== 6 || parts[0] !== PREFIX || Buffer.from(parts.join(' '), 'utf8').toString('base64url') !== token) {
    throw new KmsError('InvalidGrantTokenException', 'The grant token is not valid.');
  }
  const [, accountId, region, keyId, grantId] = parts as [string, string, string, string, string];
  return { ref: { accountId, region, keyId }, grantId };
}
