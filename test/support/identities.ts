import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { REPO, credentialsFrom, type RunningTrent } from './trent.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** An identity policy allowing every KMS action on every key, so that what refuses its user is the key policy. */
export const KMS_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });

/** `trent access-key create ARGS` on the server's store: a key of the account root, or with --user of that IAM user. */
export function cliAccessKey(trent: RunningTrent, ...args: string[]): Credentials {
  return credentialsFrom(execFileSync(process.execPath,
    [join(REPO, 'bin', 'trent.js'), 'access-key', 'create', ...args, ...trent.storeArgs], { encoding: 'utf8' }));
}

/** The root access key a serve posture's first start printed. */
export function firstStartRoot(trent: RunningTrent): Credentials {
  return credentialsFrom(trent.output());
}

/** Gives each user the inline policy `document`, through IAM's PutUserPolicy signed by its account's root. */
export async function putUserPolicies(trent: RunningTrent, root: Credentials, users: readonly string[], document = KMS_ALL): Promise<void> {
  const iam = new IAMClient({ endpoint: trent.endpoint, region: 'us-east-1', credentials: root, maxAttempts: 1 });
  for (const UserName of users) await iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'kms', PolicyDocument: document }));
  iam.destroy();
}
