import { createHash } from 'node:crypto';

/** SHA-256 of a session token: what the store keeps (never the token), and what a request's token is compared by. */
export function sessionTokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
