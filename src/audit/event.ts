import type { AuditRecord } from '../model/audit-record.js';
import type { Caller } from '../model/caller.js';
import { IAM_MODEL } from '../model/iam.gen.js';
import { membersOf, wireName } from '../model/members.js';
import type { ShapeDef } from '../model/shape.js';
import { OPERATIONS, SHAPES } from '../model/shapes.gen.js';
import { STS_MODEL } from '../model/sts.gen.js';
import { arnOf } from '../util/arn.js';
import { newRequestId } from '../util/ids.js';
import { jsonMember, jsonString } from '../util/json-text.js';
import { CUSTOM_KEY_MATERIAL_TAG } from '../util/localstack-tags.js';

/** A key an event is about (the same shape as the store's KeyRef; the audit layer does not know the store). */
export interface AuditedKey {
  readonly accountId: string;
  readonly region: string;
  readonly keyId: string;
}

export interface AuditInput {
  readonly requestId: string;
  /** The query-protocol service called (IAM, STS); absent for KMS. */
  readonly service?: 'iam' | 'sts' | undefined;
  readonly operation: string | undefined;
  readonly caller: Caller | undefined;
  /** The access key ID the request was signed with when authentication failed (no caller): who tried. */
  readonly triedAccessKeyId: string | undefined;
  readonly input: unknown;
  /** The keys the request reached (resolved, or created), whether or not it was then allowed. */
  readonly resources: readonly AuditedKey[];
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly sourceIp: string | undefined;
  readonly userAgent: string | undefined;
  readonly time: Date;
  /** Calls to custom key stores' backings (XKS proxies) the request made: latency and outcome of each. */
  readonly externalCalls?: ReadonlyArray<{ readonly customKeyStoreId: string; readonly operation: string; readonly latencyMs: number; readonly outcome: string }> | undefined;
}

/**
 * Request parameters as CloudTrail logs them: member names in lowerCamel, and nothing secret. What is
 * secret is read off the model: members of sensitive shapes (plaintexts, private keys) and every blob
 * (ciphertexts, signatures, public keys) are left out, as CloudTrail leaves them out; so is the value of
 * LocalStack's `_custom_key_material_` tag.
 */
export function redactParameters(shapeName: string, value: unknown, shapes: Readonly<Record<string, ShapeDef>> = SHAPES): unknown {
  const s = shapes[shapeName];
  if (!s || s.sensitive || s.type === 'blob' || value === undefined) return undefined;
  if (s.type === 'structure' && value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // KMS's member plans are worked out once (membersOf); the query services' few calls walk their shapes as they are.
    const members = shapes === SHAPES
      ? membersOf(shapeName)
      : Object.entries(s.members ?? {}).map(([name, shape]) => ({ name, shape, wireName: wireName(name) }));
    for (const member of members) {
      const v = redactParameters(member.shape, (value as Record<string, unknown>)[member.name], shapes);
      if (v !== undefined) out[member.wireName] = v;
    }
    // LocalStack's tag carries key material (dev takes it as the key's): its value is a secret, whatever the posture.
    if (shapeName === 'Tag' && (value as { TagKey?: unknown }).TagKey === CUSTOM_KEY_MATERIAL_TAG) delete out.tagValue;
    return out;
  }
  if (s.type === 'list' && Array.isArray(value)) return value.map((v) => redactParameters(s.member!, v, shapes));
  if (s.type === 'timestamp' && value instanceof Date) return value.toISOString();
  return value;
}

/** The event name of a request that names no operation Trent knows. */
const UNKNOWN = 'Unknown';

/** The event of one KMS call, as a row of the trail. */
export function requestRecord(e: AuditInput): AuditRecord {
  return {
    eventId: e.requestId, eventTime: e.time, eventName: e.operation ?? UNKNOWN,
    principal: e.caller?.principalArn ?? '', accessKeyId: e.caller?.accessKeyId ?? e.triedAccessKeyId ?? '',
    errorCode: e.errorCode ?? '', resources: e.resources.map(arnOf).join(' '), doc: requestEventJson(e),
  };
}

/** Work Trent does on its own when a key's time comes: CloudTrail's service events of the same names. */
export type ServiceEventName = 'DeleteKey' | 'RotateKey' | 'DeleteExpiredKeyMaterial';

/**
 * The event of work Trent did on its own, as CloudTrail writes AWS KMS's: invoked by "AWS Internal", with the
 * key in `resources` and `serviceEventDetails` (with the material, for DeleteExpiredKeyMaterial).
 */
export function serviceRecord(name: ServiceEventName, key: AuditedKey, time: Date, keyMaterialId?: string): AuditRecord {
  const eventId = newRequestId();
  const details = name === 'RotateKey' ? { rotationType: 'AUTOMATIC', keyId: key.keyId }
    : { keyId: key.keyId, ...(keyMaterialId === undefined ? {} : { keyMaterialId }) };
  const event = {
    eventVersion: '1.08',
    userIdentity: { accountId: key.accountId, invokedBy: 'AWS Internal' },
    eventTime: time.toISOString(),
    eventSource: 'kms.amazonaws.com',
    eventName: name,
    awsRegion: key.region,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly: false,
    resources: resourcesOf([key]),
    eventType: 'AwsServiceEvent',
    recipientAccountId: key.accountId,
    serviceEventDetails: details,
    eventCategory: 'Management',
  };
  return {
    eventId, eventTime: time, eventName: name, principal: '', accessKeyId: '', errorCode: '',
    resources: arnOf(key), doc: JSON.stringify(event),
  };
}

function resourcesOf(keys: readonly AuditedKey[]): Array<Record<string, string>> {
  return keys.map((k) => ({ accountId: k.accountId, type: 'AWS::KMS::Key', ARN: arnOf(k) }));
}

const QUERY_MODELS = { iam: IAM_MODEL, sts: STS_MODEL } as const;

/** CloudTrail's userIdentity.type for a caller's principal ARN. */
function identityType(principalArn: string): string {
  if (principalArn.endsWith(':root')) return 'Root';
  return principalArn.includes(':assumed-role/') ? 'AssumedRole' : 'IAMUser';
}

/**
 * A CloudTrail-shaped event for one KMS, IAM or STS call, as JSON text. Written straight from its parts, every
 * request: its members in CloudTrail's order, an undefined one left out as JSON.stringify leaves it out, every
 * string escaped exactly as JSON.stringify escapes it. Building an object only to stringify it cost about twice as much.
 */
function requestEventJson(e: AuditInput): string {
  const model = e.service ? QUERY_MODELS[e.service] : undefined;
  const shapes = model?.shapes ?? SHAPES;
  const inputShape = e.operation ? (model ? model.operations[e.operation]?.input : OPERATIONS[e.operation]?.input) : undefined;
  const parameters = inputShape ? redactParameters(inputShape, e.input, shapes) ?? null : null;
  const caller = e.caller;
  const userIdentity = caller
    ? `{"type":"${identityType(caller.principalArn)}"${jsonMember('arn', caller.principalArn)}${jsonMember('accountId', caller.accountId)}` +
      `${jsonMember('accessKeyId', caller.accessKeyId)}}`
    : `{"type":"Unknown"${jsonMember('accessKeyId', e.triedAccessKeyId)}}`;
  const requestId = jsonString(e.requestId);
  return `{"eventVersion":"1.08","userIdentity":${userIdentity},"eventTime":"${e.time.toISOString()}"` +
    `,"eventSource":"${e.service ?? 'kms'}.amazonaws.com"${jsonMember('eventName', e.operation ?? UNKNOWN)}` +
    `${jsonMember('awsRegion', caller?.region)}${jsonMember('sourceIPAddress', e.sourceIp)}${jsonMember('userAgent', e.userAgent)}` +
    `${jsonMember('errorCode', e.errorCode)}${jsonMember('errorMessage', e.errorMessage)}` +
    `,"requestParameters":${JSON.stringify(parameters)},"responseElements":null,"requestID":${requestId},"eventID":${requestId}` +
    `,"readOnly":${e.operation ? /^(Describe|Get|List)/.test(e.operation) : true},"resources":${JSON.stringify(resourcesOf(e.resources))}` +
    (e.externalCalls?.length ? `,"additionalEventData":${JSON.stringify({ customKeyStoreCalls: e.externalCalls })}` : '') +
    `,"eventType":"AwsApiCall","managementEvent":true${jsonMember('recipientAccountId', caller?.accountId)},"eventCategory":"Management"}`;
}
