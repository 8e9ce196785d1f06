/** Who is calling, as the protocol layer establishes it from the request's SigV4 credential scope. */
export interface Caller {
  readonly accountId: string;
  readonly region: string;
  readonly accessKeyId: string;
  /** The IAM principal as policies name it (e.g. arn:aws:iam::111122223333:user/admin). */
  readonly principalArn: string;
}
