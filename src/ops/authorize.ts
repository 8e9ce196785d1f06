import { KmsError } from '../model/errors.js';
import { decideAccess, denialMessage, grantMayAllow, type AccessVerdict } from '../policy/access.js';
import type { ConditionLookup, ConditionValues } from '../policy/conditions.js';
import { parseIdentityPolicy, parsePolicy, type PolicyDocument } from '../policy/document.js';
import { decide, type AccessRequest, type Principal } from '../policy/evaluate.js';
import { grantPermits } from '../policy/grants.js';
import { VerdictCache } from '../policy/verdict-cache.js';
import type { GrantRecord, KeyRecord, StoreReads } from '../store/types.js';
import { accountRootArn, arnOf, partitionOf } from '../util/arn.js';
import type { Caller, IdentityReader, OpContext } from './context.js';
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

/** Where a key's grants, tags and aliases are read: the store, or the transaction the key was locked in. */
export type PolicyReader = Pick<StoreReads, 'listGrants' | 'listTags' | 'listAliases'> & IdentityReader;

/**
 * The one authorization of a request on a key, called by the resolver for every key it admits, so no operation
 * can skip it: the key policy and the caller's identity policies together (policy/access.ts), then, unless one
 * of them denies explicitly, the key's grants to the caller. Grants are read only when the policies do not
 * allow: a grant is in force as soon as CreateGrant answers, and gone as soon as RetireGrant or RevokeGrant
 * answers, on every worker and node.
 */
export async function authorize(ctx: OpContext, access: KeyAccess & { readonly key: KeyRecord }, reader: PolicyReader): Promise<void> {
  const verdict = await keyAccessVerdict(ctx, access, reader);
  if (verdict.allowed) return;
  if (grantMayAllow(verdict) && (await grantsAllowing(ctx, reader, access.key, access.action)).length > 0) return;
  throw accessDenied(ctx, access.action, access.resourceName ?? `resource: ${arnOf(access.key)}`, verdict);
}

/** The policies' verdict on a request on a key, grants aside (CreateGrant and RetireGrant weigh grants their own way). */
export async function keyAccessVerdict(ctx: OpContext, access: KeyAccess & { readonly key: KeyRecord },
  reader: PolicyReader): Promise<AccessVerdict> {
  const { key } = access;
  const resourcePolicy = parsedPolicy(key.policy, 'key');
  // The account root's request reads nothing more.
  const identityPolicies = await callerIdentityPolicies(ctx, reader);
  const resource = arnOf(key);
  const plain = verdicts.keyOf({
    principal: principalOf(ctx.caller), action: access.action, resource, resourceAccountId: key.accountId, resourcePolicy, identityPolicies,
  });
  const known = plain === undefined ? undefined : verdicts.get(plain);
  if (known) return known;
  const docs = [resourcePolicy, ...identityPolicies];
  const facts = asksAboutResource(docs) ? await resourceFacts(key, docs, reader) : NO_FACTS;
  const verdict = decideAccess({
    ...accessRequest(ctx, { ...access, resource }, facts),
    resourceAccountId: key.accountId, resourcePolicy, identityPolicies,
  });
  if (plain !== undefined) verdicts.set(plain, verdict);
  return verdict;
}

/** Verdicts of condition-free policies: the data plane asks the same few questions again and again. */
const verdicts = new VerdictCache();

/**
 * Authorizes an action on no key (CreateKey, ListKeys, an alias's own permission): the caller's identity
 * policies alone decide, as AWS's IAM does; the account root needs none. `resource` is the alias's ARN, or `*`.
 */
export async function authorizeWithoutKey(ctx: OpContext, action: string, resource: string): Promise<void> {
  const identityPolicies = await callerIdentityPolicies(ctx);
  const verdict = decideAccess({
    ...accessRequest(ctx, { action, resource }, NO_FACTS),
    resourceAccountId: ctx.caller.accountId, resourcePolicy: undefined, identityPolicies,
  });
  if (!verdict.allowed) throw accessDenied(ctx, action, `resource: ${resource}`, verdict);
}

/**
 * AWS's refusal, worded as AWS words it for this verdict; its detail (what decided) is for the operator, not the
 * client: `trent dev --enforce-policies` logs it, so a test's author sees why.
 */
export function accessDenied(ctx: OpContext, action: string, on: string, verdict: AccessVerdict & { allowed: false }): KmsError {
  return new KmsError('AccessDeniedException', denialMessage(ctx.caller.principalArn, action, on, verdict.reason), verdict.decidedBy);
}

/** The principals by which a grant names the caller: its own ARN, or its account's root (the whole account). */
export function grantPrincipalsOf(caller: Caller): readonly string[] {
  return [caller.principalArn, accountRootArn(partitionOf(caller.region), caller.accountId)];
}

/**
 * The key's grants that allow the caller `action` with this request's encryption context. A grant names its
 * grantee by ARN; one naming the caller's account root applies to every identity of the account.
 */
export async function grantsAllowing(ctx: OpContext, reader: Pick<StoreReads, 'listGrants'>, key: KeyRecord, action: string): Promise<GrantRecord[]> {
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
 * on something this caller does not have is refused. A statement naming the caller's account passes: the
 * account can give the permission back through IAM.
 */
export function allowsPolicyChange(ctx: OpContext, doc: PolicyDocument, key: KeyFacts): boolean {
  return decide(doc, accessRequest(ctx, { key, action: 'kms:PutKeyPolicy', resource: arnOf(key) }, NO_FACTS)) === 'allow';
}

/** The caller as policies name it: KMS's, IAM's and STS's authorization alike. */
export function principalOf(caller: Caller): Principal {
  return { arn: caller.principalArn, identityArn: caller.identityArn, accountId: caller.accountId, partition: partitionOf(caller.region) };
}

/** What a request's conditions say of the request alone: its caller, action, resource and inputs. */
function accessRequest(ctx: OpContext, access: { key?: KeyFacts; action: string; resource: string; requestAlias?: string | undefined },
  facts: ResourceFacts): AccessRequest {
  return {
    principal: principalOf(ctx.caller),
    action: access.action,
    resource: access.resource,
    conditions: lazyConditionLookup(ctx, access, facts),
  };
}

/** A policy document's parse, by kind. */
type PolicyKind = 'key' | 'identity';

/**
 * Parsed policies by their text: a key's policy is read on every request, and parsing it each time would cost
 * more than the crypto. Null for a stored text that no longer parses: it allows nothing (fail closed).
 */
const parsed: Record<PolicyKind, Map<string, PolicyDocument | null>> = { key: new Map(), identity: new Map() };
const MAX_PARSED = 1024;

function parsedPolicy(text: string, kind: PolicyKind): PolicyDocument | null {
  const cache = parsed[kind];
  let doc = cache.get(text);
  if (doc === undefined) {
    try {
      doc = kind === 'key' ? parsePolicy(text) : parseIdentityPolicy(text);
    } catch (e) {
      if (!(e instanceof KmsError)) throw e;
      doc = null;
    }
    if (cache.size >= MAX_PARSED) cache.clear();
    cache.set(text, doc);
  }
  return doc;
}

/**
 * The caller's identity policies, parsed (once per text): none for an account root (IAM allows it everything) or
 * dev's callers, and the root's request reads nothing. KMS, IAM's own API and STS AssumeRole all weigh these.
 */
export async function callerIdentityPolicies(ctx: OpContext, reader?: IdentityReader): Promise<PolicyDocument[]> {
  const { identityArn } = ctx.caller;
  if (identityArn === undefined) return [];
  // IAM refused them when they were put; one that no longer parses allows nothing and can deny nothing.
  return (await ctx.deps.identities.policiesOf(identityArn, reader)).map((t) => parsedPolicy(t, 'identity')).filter((d) => d !== null);
}

/** What conditions may read of the key beyond its record: its tags and aliases, read only for policies that ask. */
interface ResourceFacts {
  readonly tags?: ReadonlyMap<string, string>;
  readonly aliases?: readonly string[];
}
const NO_FACTS: ResourceFacts = {};

const asks = (docs: ReadonlyArray<PolicyDocument | null>, prefix: string) =>
  docs.some((d) => d?.statements.some((s) => s.conditions.some((c) => c.key.startsWith(prefix))));

function asksAboutResource(docs: ReadonlyArray<PolicyDocument | null>): boolean {
  return asks(docs, 'aws:resourcetag/') || asks(docs, 'kms:resourcealiases');
}

async function resourceFacts(key: KeyRecord, docs: ReadonlyArray<PolicyDocument | null>, reader: PolicyReader): Promise<ResourceFacts> {
  const [tags, aliases] = await Promise.all([
    asks(docs, 'aws:resourcetag/') ? reader.listTags(key) : undefined,
    asks(docs, 'kms:resourcealiases') ? reader.listAliases(key.accountId, key.region, key.keyId, { limit: Number.MAX_SAFE_INTEGER }) : undefined,
  ]);
  return {
    ...(tags && { tags: new Map(tags.map((t) => [t.tagKey.toLowerCase(), t.tagValue])) }),
    ...(aliases && { aliases: aliases.map((a) => a.aliasName) }),
  };
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

/** kms:GrantConstraintType: the kinds of constraint a CreateGrant request sets. */
function constraintTypes(constraints: unknown): ConditionValues | 'absent' {
  const c = (constraints ?? {}) as Record<string, unknown>;
  const types = ['EncryptionContextEquals', 'EncryptionContextSubset'].filter((t) => c[t] !== undefined);
  return types.length > 0 ? types : 'absent';
}

/** The request as its condition keys see it: the key (none for CreateKey's identity check, ListKeys...), the action. */
interface Requested {
  readonly key?: KeyFacts | undefined;
  readonly action: string;
  readonly requestAlias?: string | undefined;
}

/** conditionLookup, made when a condition is first asked for: most policies (the default one) have none. */
function lazyConditionLookup(ctx: OpContext, access: Requested, facts: ResourceFacts): ConditionLookup {
  let lookup: ConditionLookup | undefined;
  return (name) => (lookup ??= conditionLookup(ctx, access, facts))(name);
}

/** Tags as the request sets them (CreateKey's Tags, TagResource's), and the tag keys it names (UntagResource's too). */
function requestTags(input: Readonly<Record<string, unknown>>): { tags: ReadonlyMap<string, string>; keys: string[] } {
  const list = Array.isArray(input.Tags) ? input.Tags as Array<{ TagKey: string; TagValue: string }> : [];
  const keys = Array.isArray(input.TagKeys) ? input.TagKeys as string[] : list.map((t) => t.TagKey);
  return { tags: new Map(list.map((t) => [t.TagKey.toLowerCase(), t.TagValue])), keys };
}

/**
 * The global condition keys of any request, KMS's, IAM's or STS's: who calls, from where, when, over what; with
 * `extra`, a service's own keys. Any other key is unknown, and fails closed (policy/conditions.ts).
 */
export function callerConditions(ctx: OpContext, extra: Readonly<Record<string, () => ConditionValues | 'absent'>> = {}): ConditionLookup {
  const known = { ...globalConditions(ctx), ...extra };
  return (name) => (Object.hasOwn(known, name) ? known[name]!() : undefined);
}

function globalConditions(ctx: OpContext): Readonly<Record<string, () => ConditionValues | 'absent'>> {
  const { caller } = ctx;
  const userName = caller.identityArn && /:user\/(?:.*\/)?([^/]+)$/.exec(caller.identityArn)?.[1];
  return {
    // A session's aws:PrincipalArn is its role's ARN, as AWS sets it.
    'aws:principalarn': () => [caller.identityArn ?? caller.principalArn],
    'aws:principalaccount': () => [caller.accountId],
    'aws:username': () => (userName ? [userName] : 'absent'),
    // An IPv4 client on a dual-stack socket appears as ::ffff:a.b.c.d; policies name it as a.b.c.d.
    'aws:sourceip': () => (ctx.sourceIp ? [ctx.sourceIp.replace(/^::ffff:(?=\d+\.)/, '')] : 'absent'),
    'aws:currenttime': () => [ctx.now.toISOString()],
    'aws:securetransport': () => [String(ctx.secureTransport)],
  };
}

/**
 * The condition keys Trent knows, with this request's values. Keys AWS sets only for requests through an AWS
 * service are known and absent; any other key is unknown, and fails closed (policy/conditions.ts).
 */
function conditionLookup(ctx: OpContext, access: Requested, facts: ResourceFacts): ConditionLookup {
  const { caller } = ctx;
  const { key, action, requestAlias } = access;
  const { context, encryptionAlgorithm } = requestSide(ctx, action);
  const one = (v: unknown): ConditionValues | 'absent' => (typeof v === 'string' ? [v] : 'absent');
  const some = (v: readonly string[] | undefined): ConditionValues | 'absent' => (v && v.length > 0 ? v : 'absent');
  const contextKeys = context && Object.keys(context).length > 0 ? Object.keys(context) : undefined;
  const creatingGrant = action === 'kms:CreateGrant';
  const tagged = requestTags(ctx.input);
  const known: Readonly<Record<string, () => ConditionValues | 'absent'>> = {
    ...globalConditions(ctx),
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
    // CreateKey's request names what its key will be; on a key, the key says.
    'kms:keyspec': () => one(key?.keySpec ?? ctx.input.KeySpec),
    'kms:keyusage': () => one(key?.keyUsage ?? ctx.input.KeyUsage),
    'kms:keyorigin': () => one(key?.origin ?? ctx.input.Origin),
    'kms:requestalias': () => one(requestAlias),
    'kms:resourcealiases': () => some(facts.aliases),
    'aws:tagkeys': () => some(tagged.keys),
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
    // Tag keys compare without case in condition keys, as IAM's do.
    if (name.startsWith('aws:resourcetag/')) return one(facts.tags?.get(name.slice('aws:resourcetag/'.length)));
    if (name.startsWith('aws:requesttag/')) return one(tagged.tags.get(name.slice('aws:requesttag/'.length)));
    return Object.hasOwn(known, name) ? known[name]!() : undefined;
  };
}
