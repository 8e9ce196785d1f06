/**
 * The key policy the console sets on a key it creates: AWS's default key policy for console-made keys. The
 * account's root gets kms:* (so IAM policies can grant access and the key can never become unmanageable), then
 * the chosen administrators, the chosen users (and other accounts), and, for symmetric encryption keys, the users'
 * right to let AWS-integrated services attach grants (those services use only symmetric encryption keys).
 */
export interface PolicyChoices {
  readonly partition: string;
  readonly accountId: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly administrators: readonly string[];
  readonly allowAdministratorsToDelete: boolean;
  readonly users: readonly string[];
  readonly otherAccounts: readonly string[];
}

const ADMIN_ACTIONS = [
  'kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*',
  'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource',
];
const DELETE_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion'];

/** What a key user may do, by what the key is for. */
function useActions(keySpec: string, keyUsage: string): string[] {
  switch (keyUsage) {
    case 'SIGN_VERIFY': return ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:Sign', 'kms:Verify'];
    case 'KEY_AGREEMENT': return ['kms:DescribeKey', 'kms:GetPublicKey', 'kms:DeriveSharedSecret'];
    case 'GENERATE_VERIFY_MAC': return ['kms:DescribeKey', 'kms:GenerateMac', 'kms:VerifyMac'];
    default:
      return keySpec === 'SYMMETRIC_DEFAULT'
        ? ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey']
        : ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:DescribeKey', 'kms:GetPublicKey'];
  }
}

function accountRoot(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function consoleKeyPolicy(c: PolicyChoices): object {
  const statements: object[] = [{
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: accountRoot(c.partition, c.accountId) },
    Action: 'kms:*',
    Resource: '*',
  }];
  if (c.administrators.length > 0) {
    statements.push({
      Sid: 'Allow access for Key Administrators',
      Effect: 'Allow',
      Principal: { AWS: [...c.administrators] },
      Action: c.allowAdministratorsToDelete ? [...ADMIN_ACTIONS, ...DELETE_ACTIONS] : ADMIN_ACTIONS,
      Resource: '*',
    });
  }
  const users = [...c.users, ...c.otherAccounts.map((a) => accountRoot(c.partition, a))];
  if (users.length > 0) {
    statements.push({ Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: users }, Action: useActions(c.keySpec, c.keyUsage), Resource: '*' });
    if (c.keySpec === 'SYMMETRIC_DEFAULT' && c.keyUsage === 'ENCRYPT_DECRYPT') {
      statements.push({
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: users },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      });
    }
  }
  return { Id: 'key-consolepolicy-3', Version: '2012-10-17', Statement: statements };
}

/** Why a key policy the person typed cannot be saved, or undefined when it can be sent (the server checks the rest). */
export function policyProblem(text: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return `The key policy is not valid JSON: ${e instanceof Error ? e.message : String(e)}.`;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'The key policy must be a JSON object.';
  const statement = (parsed as Record<string, unknown>).Statement;
  if (statement === undefined) return 'The key policy needs a "Statement": one statement or a list of them.';
  const list = Array.isArray(statement) ? statement : [statement];
  for (const [i, s] of list.entries()) {
    if (typeof s !== 'object' || s === null) return `Statement ${i + 1} must be a JSON object.`;
    const effect = (s as Record<string, unknown>).Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return `Statement ${i + 1} needs "Effect": "Allow" or "Deny".`;
  }
  if (new TextEncoder().encode(text).length > 32768) return 'The key policy is larger than 32 KB, the most a key policy may be.';
  return undefined;
}
