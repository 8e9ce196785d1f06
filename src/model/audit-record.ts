/**
 * One event of the audit trail as it is kept: the CloudTrail-shaped event as a JSON document (audit/event.ts
 * makes it), beside the columns `trent audit` filters on. Written in the transaction of the writes it
 * describes, or in one of its own for a request that writes nothing; never updated or deleted.
 */
export interface AuditRecord {
  /** The request ID (or a service event's own ID). */
  readonly eventId: string;
  readonly eventTime: Date;
  readonly eventName: string;
  /** The caller's principal ARN; empty when the request was not authenticated. */
  readonly principal: string;
  /** The access key ID the request was signed with, or tried to be; empty when there was none. */
  readonly accessKeyId: string;
  /** The error code answered; empty for a success. */
  readonly errorCode: string;
  /** The ARNs of the keys the event is about, space-separated (empty when none). */
  readonly resources: string;
  readonly doc: string;
}
