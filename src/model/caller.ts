/** Who is calling, as the protocol layer establishes it from the request's SigV4 credential scope. */
export interface Caller {
  readonly accountId: string;
  readonly region: string;
  readonly accessKeyId: string;
  /** As policies name the caller: arn:aws:iam::ACCT:root, arn:aws:iam::ACCT:user/alice, arn:aws:sts::ACCT:assumed-role/app/session. */
  readonly principalArn: string;
  /**
   * The IAM identity whose policies apply: absent for the account root (and dev's any-credentials callers);
   * the user's ARN, or for an assumed-role session the role's ARN (what aws:PrincipalArn names).
   */
  readonly identityArn?: string | undefined;
}
