import type { Caller } from '../model/caller.js';
import { membersOf } from '../model/members.js';
import { OPERATIONS, SHAPES } from '../model/shapes.gen.js';

export interface AuditInput {
  readonly requestId: string;
  readonly operation: string | undefined;
  readonly caller: Caller | undefined;
  readonly input: unknown;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly time: Date;
}

/**
 * Request parameters as CloudTrail logs them: member names in lowerCamel, and nothing secret. What is
 * secret is read off the model: members of sensitive shapes (plaintexts, private keys) and every blob
 * (ciphertexts, signatures, public keys) are left out, as CloudTrail leaves them out.
 */
export function redactParameters(shapeName: string, value: unknown): unknown {
  const s = SHAPES[shapeName];
  if (!s || s.sensitive || s.type === 'blob' || value === undefined) return undefined;
  if (s.type === 'structure' && value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const member of membersOf(shapeName)) {
      const v = redactParameters(member.shape, (value as Record<string, unknown>)[member.name]);
      if (v !== undefined) out[member.wireName] = v;
    }
    return out;
  }
  if (s.type === 'list' && Array.isArray(value)) return value.map((v) => redactParameters(s.member!, v));
  if (s.type === 'timestamp' && value instanceof Date) return value.toISOString();
  return value;
}

/** A CloudTrail-shaped event for one KMS call. */
export function auditEvent(e: AuditInput): Record<string, unknown> {
  const inputShape = e.operation ? OPERATIONS[e.operation]?.input : null;
  return {
    eventVersion: '1.08',
    userIdentity: e.caller
      ? { type: 'IAMUser', arn: e.caller.principalArn, accountId: e.caller.accountId, accessKeyId: e.caller.accessKeyId }
      : { type: 'Unknown' },
    eventTime: e.time.toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName: e.operation ?? 'Unknown',
    awsRegion: e.caller?.region,
    sourceIPAddress: e.sourceIp,
    userAgent: e.userAgent,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    requestParameters: inputShape ? redactParameters(inputShape, e.input) ?? null : null,
    responseElements: null,
    requestID: e.requestId,
    eventID: e.requestId,
    readOnly: e.operation ? /^(Describe|Get|List)/.test(e.operation) : true,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: e.caller?.accountId,
    eventCategory: 'Management',
  };
}
