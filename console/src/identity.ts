import { ApiError, kms, query, type Session } from './api.ts';

export interface Principal {
  readonly name: string;
  readonly kind: 'User' | 'Role';
  readonly arn: string;
}

/**
 * The signed-in account: STS GetCallerIdentity where the server has it; otherwise the account in the ARN a KMS
 * NotFoundException names for an alias that cannot exist (AWS's message quotes the full alias ARN).
 */
export async function accountIdOf(session: Session): Promise<string> {
  try {
    const doc = await query(session, 'sts', 'GetCallerIdentity');
    const account = doc.querySelector('Account')?.textContent;
    if (account) return account;
  } catch (e) {
    if (!(e instanceof ApiError) || e.code === 'NetworkError') throw e;
  }
  try {
    await kms(session, 'DescribeKey', { KeyId: 'alias/trent-console-account-probe-does-not-exist' });
  } catch (e) {
    const m = e instanceof ApiError ? /arn:[\w-]+:kms:[\w-]*:(\d{12}):/.exec(e.message) : null;
    if (m) return m[1]!;
    throw e;
  }
  throw new ApiError('AccountUnknown', 'The account of these credentials could not be found out.');
}

/** The account's IAM users and roles (ListUsers, ListRoles, every page); an ApiError when the server has no IAM. */
export async function listPrincipals(session: Session): Promise<Principal[]> {
  const all: Principal[] = [];
  for (const [action, kind] of [['ListUsers', 'User'], ['ListRoles', 'Role']] as const) {
    let marker: string | undefined;
    do {
      const doc = await query(session, 'iam', action, marker ? { Marker: marker } : {});
      for (const member of Array.from(doc.querySelectorAll(`${kind}s > member`))) {
        const arn = member.querySelector(':scope > Arn')?.textContent;
        const name = member.querySelector(`:scope > ${kind}Name`)?.textContent;
        if (arn && name) all.push({ name, kind, arn });
      }
      marker = doc.querySelector('IsTruncated')?.textContent === 'true' ? doc.querySelector(`${action}Result > Marker`)?.textContent ?? undefined : undefined;
    } while (marker);
  }
  return all;
}

/** A principal ARN a person typed: an IAM user, role or account root (what the console's key policy names). */
export const PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)$/;
