/** The partition a Region belongs to, as AWS names them. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  return 'aws';
}

/** An account's root principal ARN, as policies and grants name the account. */
export function accountRootArn(partition: string, accountId: string): string {
  return `arn:${partition}:iam::${accountId}:root`;
}

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:key/${keyId}`;
}

/** The ARN of the key a reference names (any record with an account, a Region and a key ID). */
export function arnOf(ref: { readonly region: string; readonly accountId: string; readonly keyId: string }): string {
  return keyArn(ref.region, ref.accountId, ref.keyId);
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:${aliasName}`;
}

export interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly accountId: string;
  readonly resource: string;
}

/** Splits `arn:partition:service:region:account:resource`; undefined when the string is not an ARN. */
export function parseArn(s: string): ParsedArn | undefined {
  const parts = s.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}
