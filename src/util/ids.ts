import { randomBytes, randomUUID } from 'node:crypto';

/** A new key ID: a random UUID, or for a multi-Region key `mrk-` and 32 hex digits, as AWS makes them. */
export function newKeyId(multiRegion: boolean): string {
  return multiRegion ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID();
}

/** A key material ID: 64 hex digits, the form DescribeKey's CurrentKeyMaterialId takes in AWS. */
export function newMaterialId(): string {
  return randomBytes(32).toString('hex');
}

/** A grant ID: 64 hex digits, as AWS makes them. */
export function newGrantId(): string {
  return randomBytes(32).toString('hex');
}

/** A custom key store ID: `cks-` and 17 hex digits, as AWS makes them. */
export function newCustomKeyStoreId(): string {
  return `cks-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

export function newRequestId(): string {
  return randomUUID();
}

const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

/** Whether a string has the form of a key ID (AWS answers "Invalid keyId" for anything else). */
export function isKeyIdForm(s: string): boolean {
  return KEY_ID.test(s);
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += BASE32[b & 31];
  return s;
}

/** An access key ID as AWS forms them: AKIA (long-term) or ASIA (STS session) and 16 base-32 characters. */
export function newAccessKeyId(prefix: 'AKIA' | 'ASIA'): string {
  return prefix + base32(16);
}

/** An IAM unique ID as AWS forms them: AIDA (user) or AROA (role) and 17 base-32 characters. */
export function newIamUniqueId(prefix: 'AIDA' | 'AROA'): string {
  return prefix + base32(17);
}
