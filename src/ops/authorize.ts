import { KmsError } from '../model/errors.js';
import type { ConditionLookup, ConditionValues } from '../policy/conditions.js';
import { parsePolicy, type PolicyDocument } from '../policy/document.js';
import { decide, type Decision } from '../policy/evaluate.js';
import { grantPermits } from '../policy/grants.js';
import type { GrantRecord, KeyRecord, StoreReads } from '../store/types.js';
import { accountRootArn, arnOf, partitionOf } from '../util/arn.js';
import type { Caller, OpContext } from './context.js';
import { CONSTRAINED_OPERATIONS, GRANT_OPERATIONS } from './grants/grant-rules.js';

/** What a policy's conditions may read of a key: where it is and what it is (a key being created has no record yet). */
export type KeyFacts = Pick<KeyRecord, 'accountId' | 'region' | 'keyId' | 'keySpec' | 'keyUsage' | 'origin'>;

/** One authorization question: may the caller perform `action` on `key`? */
export interface KeyAccess {
  readonly key: KeyFacts;
  /** e.g. kms:Encrypt; ReEncrypt asks kms:ReEncryptFrom of its source key and kms:ReEncryptTo of its destination. */
  readonly action: string;
  /** The alias the caller named the key by (kms:RequestAlias). */
  readonly requestAlias?: string | undefined;
  /** How a refusal names the key: its ARN, or for a key found through a ciphertext, that ciphertext's resource. */
  readonly resourceName?: string | undefined;
}

/**
 * Evaluates the key's policy for the caller (policy/evaluate.ts), then, unless the policy denies explicitly,
 * the key's grants to the caller, and throws AWS's AccessDeniedException when neither allows the action.
 * Called by the resolver for every key it admits, so no operation can skip it. Grants are read from the store
 * only when the policy does not allow: a grant is in force as soon as CreateGrant answers, and gone as soon
 * as RetireGrant or RevokeGrant answers, on every worker and node.
 */
export async function authorize(ctx: OpContext, access: KeyAccess & { readonly key: KeyRecord }, grants: GrantReader): Promise<void> {
  const decision = keyPolicyDecision(ctx, access);
  if (decision === 'allow') return;
  if (decision === 'implicitDeny' && (await grantsAllowing(ctx, grants, access.key, access.action)).length > 0) return;
  const { caller } = ctx;
  const on = access.resourceName ?? `resource: ${arnOf(access.key)}`;
  throw new KmsError('AccessDeniedException', decision === 'explicitDeny'
    ? `User: ${caller.principalArn} is not authorized to perform: ${access.action} on ${on} with an explicit deny in a resource-based policy`
    : `User: ${caller.principalArn} is not authorized to perform: ${access.action} on ${on} because no resource-based policy allows the ${access.action} action`);
}

/** The principals by which a grant names the caller: its own ARN, or its account's root (the whole account). */
export function grantPrincipalsOf(caller: Caller): readonly string[] {
  return [caller.principalArn, accountRootArn(partitionOf(caller.region), caller.accountId)];
}

/** Where a key's grants are read: the store, or the transaction the key was locked in. */
export type GrantReader = Pick<StoreReads, 'listGrants'>;

/** The key policy's decision alone. A policy stored before Trent checked the whole grammar may not pass it now: it allows nothing (fail closed). */
export function keyPolicyDecision(ctx: OpContext, access: KeyAccess & { readonly key: KeyRecord }): Decision {
  const doc = policyOf(access.key);
  return doc ? decideFor(ctx, doc, access) : 'implicitDeny';
}

/**
 * The key's grants that allow the caller `action` with this request's encryption context. A grant names its
 * grantee by ARN; one naming the caller's account root applies to every identity of the account, as a key
 * policy naming the account does here.
 */
export async function grantsAllowing(ctx: OpContext, reader: GrantReader, key: KeyRecord, action: string): Promise<GrantRecord[]> {
  const operation = action.startsWith('kms:') ? action.slice('kms:'.length) : action;
  if (!GRANT_OPERATIONS.has(operation)) return [];
  // All of them: the grants-per-grantee quota keeps them few.
  const grants = await reader.listGrants(key, { granteePrincipals: grantPrincipalsOf(ctx.caller) }, { limit: Number.MAX_SAFE_INTEGER });
  const context = key.keySpec === 'SYMMETRIC_DEFAULT' && CONSTRAINED_OPERATIONS.has(operation)
    ? requestSide(ctx, action).context
    : 'not-applicable';
  return grants.filter((g) => grantPermits(g, operation, context));
}

/**
 * The lockout safety check of CreateKey and PutKeyPolicy: whether `doc` lets the caller of this request call
 * PutKeyPolicy on the key, evaluated as a request would be, with this request's condition keys (its caller,
 * address, time; the new key's spec for CreateKey), so a policy whose only PutKeyPolicy Allow is conditioned
 * on something this caller does not have is refused.
 */
export function allowsPolicyChange(ctx: OpContext, doc: PolicyDocument, key: KeyFacts): boolean {
  return decideFor(ctx, doc, { key, action: 'kms:PutKeyPolicy' }) === 'allow';
}

function decideFor(ctx: OpContext, doc: PolicyDocument, access: KeyAccess): Decision {
  const { caller } = ctx;
  return decide(doc, {
    principal: { arn: caller.principalArn, accountId: caller.accountId, partition: partitionOf(caller.region) },
    action: access.action,
    resource: arnOf(access.key),
    conditions: lazyConditionLookup(ctx, access),
  });
}

/**
 * Parsed policies by their text: a key's policy is read on every request, and parsing it each time would cost
 * more than the crypto. Null for a stored text that no longer parses.
 */
const parsed = new Map<string, PolicyDocument | null>();
const MAX_PARSED = 1024;

function policyOf(key: KeyRecord): PolicyDocument | null {
  let doc = parsed.get(key.policy);
  if (doc === undefined) {
    try {
      doc = parsePolicy(key.policy);
    } catch (e) {
      if (!(e instanceof KmsError)) throw e;
      doc = null;
    }
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

/** kms:GrantConstraintType: the kinds of constraint a CreateGrant request sets. */
function constraintTypes(constraints: unknown): ConditionValues | 'absent' {
  const c = (constraints ?? {}) as Record<string, unknown>;
  const types = ['EncryptionContextEquals', 'EncryptionContextSubset'].filter((t) => c[t] !== undefined);
  return types.length > 0 ? types : 'absent';
}

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
  const one = (v: unknown): ConditionValues | 'absent' => (typeof v === 'string' ? [v] : 'absent');
  const contextKeys = context && Object.keys(context).length > 0 ? Object.keys(context) : undefined;
  const userName = ACCOUNT_PRINCIPAL.exec(caller.principalArn)?.[1];
  const creatingGrant = action === 'kms:CreateGrant';
  const known: Readonly<Record<string, () => ConditionValues | 'absent'>> = {
    'kms:encryptioncontextkeys': () => contextKeys ?? 'absent',
    'kms:calleraccount': () => [caller.accountId],
    'kms:viaservice': () => 'absent',
    'kms:grantisforawsresource': () => 'absent',
    // The grant a CreateGrant request would make; absent on every other request.
    'kms:grantoperations': () => (creatingGrant && Array.isArray(ctx.input.Operations) ? ctx.input.Operations as string[] : 'absent'),
    'kms:granteeprincipal': () => (creatingGrant ? one(ctx.input.GranteePrincipal) : 'absent'),
    'kms:retiringprincipal': () => (creatingGrant ? one(ctx.input.RetiringPrincipal) : 'absent'),
    'kms:grantconstrainttype': () => (creatingGrant ? constraintTypes(ctx.input.Constraints) : 'absent'),
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
      // Condition key names compare without case, so the context key does too (its value keeps its case). A
      // context may hold several keys that differ only in case: each is a reading of the condition key, and
      // the evaluation lets none dodge a Deny or widen an Allow (policy/conditions.ts).
      const wanted = name.slice(CONTEXT_PREFIX.length);
      const values = (contextKeys ?? []).filter((k) => k.toLowerCase() === wanted).map((k) => context![k]!);
      if (values.length === 0) return 'absent';
      return values.length === 1 ? values : { oneOf: values };
    }
    return Object.hasOwn(known, name) ? known[name]!() : undefined;
  };
}
