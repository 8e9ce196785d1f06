import { KmsError } from '../model/errors.js';
import type { ConditionLookup } from '../policy/conditions.js';
import { parsePolicy, type PolicyDocument } from '../policy/document.js';
import { decide } from '../policy/evaluate.js';
import type { KeyRecord } from '../store/types.js';
import { arnOf, partitionOf } from '../util/arn.js';
import type { OpContext } from './context.js';

/** One authorization question: may the caller perform `action` on `key`? */
export interface KeyAccess {
  readonly key: KeyRecord;
  /** e.g. kms:Encrypt; ReEncrypt asks kms:ReEncryptFrom of its source key and kms:ReEncryptTo of its destination. */
  readonly action: string;
  /** The alias the caller named the key by (kms:RequestAlias). */
  readonly requestAlias?: string | undefined;
  /** How a refusal names the key: its ARN, or for a key found through a ciphertext, that ciphertext's resource. */
  readonly resourceName?: string | undefined;
}

/**
 * Evaluates the key's policy for the caller (policy/evaluate.ts) and throws AWS's AccessDeniedException when it
 * does not allow the action. Called by the resolver for every key it admits, so no operation can skip it.
 */
export function authorize(ctx: OpContext, access: KeyAccess): void {
  const { caller } = ctx;
  const resource = arnOf(access.key);
  const decision = decide(policyOf(access.key), {
    principal: { arn: caller.principalArn, accountId: caller.accountId, partition: partitionOf(caller.region) },
    action: access.action,
    resource,
    conditions: lazyConditionLookup(ctx, access),
  });
  if (decision === 'allow') return;
  const on = access.resourceName ?? `resource: ${resource}`;
  throw new KmsError('AccessDeniedException', decision === 'explicitDeny'
    ? `User: ${caller.principalArn} is not authorized to perform: ${access.action} on ${on} with an explicit deny in a resource-based policy`
    : `User: ${caller.principalArn} is not authorized to perform: ${access.action} on ${on} because no resource-based policy allows the ${access.action} action`);
}

/** Parsed policies by their text: a key's policy is read on every request, and parsing it each time would cost more than the crypto. */
const parsed = new Map<string, PolicyDocument>();
const MAX_PARSED = 1024;

function policyOf(key: KeyRecord): PolicyDocument {
  let doc = parsed.get(key.policy);
  if (!doc) {
    doc = parsePolicy(key.policy);
    if (parsed.size >= MAX_PARSED) parsed.clear();
    parsed.set(key.policy, doc);
  }
  return doc;
}

type Context = Readonly<Record<string, string>> | undefined;

/** The request members a condition reads, by action: ReEncrypt's two keys see their own side's context and algorithm. */
function requestSide(ctx: OpContext, action: string): { context: Context; encryptionAlgorithm: unknown } {
  const { input } = ctx;
  if (action === 'kms:ReEncryptFrom') {
    return { context: input.SourceEncryptionContext as Context, encryptionAlgorithm: input.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
  }
  if (action === 'kms:ReEncryptTo') {
    return { context: input.DestinationEncryptionContext as Context, encryptionAlgorithm: input.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' };
  }
  return { context: input.EncryptionContext as Context, encryptionAlgorithm: input.EncryptionAlgorithm ?? ENCRYPTING_ACTIONS.get(action) };
}

/** Actions whose kms:EncryptionAlgorithm is SYMMETRIC_DEFAULT when the request names none. */
const ENCRYPTING_ACTIONS: ReadonlyMap<string, string> = new Map([
  'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext',
].map((a) => [a, 'SYMMETRIC_DEFAULT']));

const ACCOUNT_PRINCIPAL = /^arn:[^:]+:iam::\d{12}:user\/(.+)$/;

/** conditionLookup, made when a condition is first asked for: most policies (the default one) have none. */
function lazyConditionLookup(ctx: OpContext, access: KeyAccess): ConditionLookup {
  let lookup: ConditionLookup | undefined;
  return (name) => (lookup ??= conditionLookup(ctx, access))(name);
}

/**
 * The condition keys Trent knows, with this request's values. Keys AWS sets only for requests through an AWS
 * service or about grants are known and absent; any other key is unknown, and fails closed (policy/conditions.ts).
 */
function conditionLookup(ctx: OpContext, access: KeyAccess): ConditionLookup {
  const { caller, now, sourceIp } = ctx;
  const { key, action, requestAlias } = access;
  const { context, encryptionAlgorithm } = requestSide(ctx, action);
  const one = (v: unknown): readonly string[] | 'absent' => (typeof v === 'string' ? [v] : 'absent');
  const contextKeys = context && Object.keys(context).length > 0 ? Object.keys(context) : undefined;
  const userName = ACCOUNT_PRINCIPAL.exec(caller.principalArn)?.[1];
  const known: Readonly<Record<string, () => readonly string[] | 'absent'>> = {
    'kms:encryptioncontextkeys': () => contextKeys ?? 'absent',
    'kms:calleraccount': () => [caller.accountId],
    'kms:viaservice': () => 'absent',
    'kms:grantisforawsresource': () => 'absent',
    'kms:encryptionalgorithm': () => one(encryptionAlgorithm),
    'kms:signingalgorithm': () => one(ctx.input.SigningAlgorithm),
    'kms:macalgorithm': () => one(ctx.input.MacAlgorithm),
    'kms:keyspec': () => [key.keySpec],
    'kms:keyusage': () => [key.keyUsage],
    'kms:keyorigin': () => [key.origin],
    'kms:requestalias': () => one(requestAlias),
    'aws:principalarn': () => [caller.principalArn],
    'aws:principalaccount': () => [caller.accountId],
    // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d; policies name it as a.b.c.d.
    'aws:sourceip': () => one(sourceIp?.replace(/^::ffff:(?=\d+\.)/, '')),
    'aws:currenttime': () => [now.toISOString()],
    'aws:securetransport': () => [String(ctx.secureTransport)],
    'aws:username': () => one(userName),
  };
  return (name) => {
    const CONTEXT_PREFIX = 'kms:encryptioncontext:';
    if (name.startsWith(CONTEXT_PREFIX)) {
      // Condition key names compare without case, so the context key does too; its value keeps its case.
      const wanted = name.slice(CONTEXT_PREFIX.length);
      const entry = contextKeys?.find((k) => k.toLowerCase() === wanted);
      return entry === undefined ? 'absent' : [context![entry]!];
    }
    return Object.hasOwn(known, name) ? known[name]!() : undefined;
  };
}
