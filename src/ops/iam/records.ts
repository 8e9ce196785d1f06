import { randomBytes } from 'node:crypto';
import type { RootKey } from '../../keys/root-key.js';
import { wrapIdentity } from '../../keys/root-key.js';
import type { AccessKeyRecord, IdentityRecord } from '../../store/types.js';
import { newAccessKeyId, newIamUniqueId } from '../../util/ids.js';

/** A new long-term access key of `userName` (undefined: the account root), and its secret, shown once. */
export function newAccessKey(root: RootKey, accountId: string, userName: string | undefined, now: Date):
  { record: AccessKeyRecord; secretAccessKey: string } {
  const accessKeyId = newAccessKeyId('AKIA');
  // 40 characters, as AWS's secrets are.
  const secretAccessKey = randomBytes(30).toString('base64');
  return {
    secretAccessKey,
    record: {
      accessKeyId, accountId, userName, status: 'Active', createdAt: now,
      wrappedSecret: root.wrap(wrapIdentity.accessKey(accessKeyId), Buffer.from(secretAccessKey)),
    },
  };
}

/** A new IAM user (CreateUser, or `trent access-key create --user` naming one that does not exist yet). */
export function newUser(accountId: string, name: string, path: string, now: Date): IdentityRecord {
  return { accountId, kind: 'user', name, path, id: newIamUniqueId('AIDA'), createdAt: now };
}
