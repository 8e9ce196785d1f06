import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord, KeyRef, StoreOps } from '../store/types.js';
import { aliasArn, arnOf, parseArn, partitionOf } from '../util/arn.js';
import { isKeyIdForm } from '../util/ids.js';
import { authorize, type PolicyReader } from './authorize.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-state.js';
import { chargeKeyUse } from './quotas/request-rates.js';
import { recordKeyUse } from './usage/note-use.js';

export interface ResolveOptions {
  /** Whether the parameter accepts an alias name or alias ARN (AWS refuses them for key management). */
  readonly aliases: boolean;
  /** AWS's error for an alias where it is refused, when the parameter has its own (CreateAlias's TargetKeyId). */
  readonly aliasRefused?: ((keyIdParam: string) => KmsError) | undefined;
}

/** What a request does with a key: the operation whose key-state row applies and the policy action it needs. */
export interface KeyUse {
  readonly op: OperationName;
  /** The key policy action, when it is not kms:<op> (ReEncrypt: kms:ReEncryptFrom and kms:ReEncryptTo). */
  readonly action?: string;
  /** The key may be in any state (UpdateAlias's current key: footnote [10] of the key-state table). */
  readonly anyState?: boolean;
}

/**
 * Operations AWS lets a caller perform on a key of another account (its API reference: "Cross-account use:
 * Yes"), named by key ARN or alias ARN (or, for Decrypt and ReEncrypt, by the ciphertext). Only when key
 * policies are enforced: without them a key of another account would be open to all.
 */
const CROSS_ACCOUNT: ReadonlySet<OperationName> = new Set<OperationName>([
  'CreateGrant', 'Decrypt', 'DescribeKey', 'DeriveSharedSecret', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateDataKeyWithoutPlaintext', 'GenerateMac', 'GetKeyRotationStatus',
  'GetPublicKey', 'ListGrants', 'ReEncrypt', 'RetireGrant', 'RevokeGrant', 'Sign', 'Verify', 'VerifyMac',
]);

/**
 * Operations the key policy alone does not decide, so the resolver does not authorize them: ListAliases is
 * authorized by IAM policies (kms:ListAliases is not a key policy permission in AWS); RetireGrant by the grant
 * (its retiring principal, or its grantee), or else the key policy, which ops/grants/retire-grant.ts asks.
 */
const NOT_BY_KEY_POLICY: ReadonlySet<OperationName> = new Set<OperationName>(['ListAliases', 'RetireGrant']);

/** The key a parameter or a record names, before it is read: its reference and the error when it does not exist. */
interface Named {
  readonly ref: KeyRef;
  readonly notFound: () => KmsError;
  /** The alias name the parameter gave, for kms:RequestAlias. */
  readonly alias?: string;
  /** How an AccessDeniedException names the key, when not by its ARN. */
  readonly resourceName?: string;
}

/**
 * The one key resolver. Every operation reaches its keys through the functions of this file, which turn what
 * names a key (a KeyId parameter: key ID, key ARN, alias name or alias ARN; or a reference stored in a
 * ciphertext blob or an alias) into the key record of the caller's Region with AWS's error for every wrong
 * form, then admit it: authorization against the key's policy (where enforced), then the key-state table
 * for the operation.
 */
export async function resolveKey(ctx: OpContext, use: OperationName | KeyUse, keyIdParam: string,
  options: ResolveOptions): Promise<KeyRecord> {
  const named = await nameKey(ctx, opOf(use), ctx.deps.store, keyIdParam, options);
  return admit(ctx, use, await ctx.deps.store.getKey(named.ref), named, ctx.deps.store);
}

/**
 * As resolveKey, for a read-modify-write inside `tx`: the key is read once, locked, and the key-state table
 * is checked on that locked read, so a change never acts on a state another request has just changed.
 */
export async function resolveKeyLocked(ctx: OpContext, tx: StoreOps, use: OperationName | KeyUse, keyIdParam: string,
  options: ResolveOptions): Promise<KeyRecord> {
  const named = await nameKey(ctx, opOf(use), tx, keyIdParam, options);
  return admit(ctx, use, await tx.lockKey(named.ref), named, tx);
}

export interface RefLookup {
  /** The error when the key does not exist or is not one `accepts` takes (a blob's key: InvalidCiphertextException). */
  readonly notFound: () => KmsError;
  readonly accepts?: (key: KeyRecord) => boolean;
  /** Read the key locked inside this transaction. */
  readonly tx?: StoreOps;
  /** How an AccessDeniedException names the key, when not by its ARN (a ciphertext's key). */
  readonly resourceName?: string;
}

/** The key a stored reference names (the key of a ciphertext blob, an alias's current key), admitted as resolveKey admits. */
export async function resolveKeyRef(ctx: OpContext, use: OperationName | KeyUse, ref: KeyRef,
  lookup: RefLookup): Promise<KeyRecord> {
  const { notFound, accepts, tx, resourceName } = lookup;
  if (ref.region !== ctx.caller.region || !reachable(ctx, opOf(use), ref.accountId)) throw notFound();
  const key = tx ? await tx.lockKey(ref) : await ctx.deps.store.getKey(ref);
  return admit(ctx, use, key && (!accepts || accepts(key)) ? key : undefined, { ref, notFound, resourceName }, tx ?? ctx.deps.store);
}

function opOf(use: OperationName | KeyUse): OperationName {
  return typeof use === 'string' ? use : use.op;
}

/** Whether `op` may reach a key of `accountId` at all: the caller's own, or another's where AWS allows it. */
function reachable(ctx: OpContext, op: OperationName, accountId: string): boolean {
  return accountId === ctx.caller.accountId || (ctx.deps.settings.enforceKeyPolicies && CROSS_ACCOUNT.has(op));
}

/**
 * The request-rate charge first, before any work is spent on the key (AWS throttles a request before doing it);
 * then authorization, so a caller the policy refuses learns nothing of the key's state.
 */
/**
 * `reader` is where the key was read (the store, or the transaction that locked it): grants are read there too,
 * so a request inside a transaction never waits for a second connection while it holds the first.
 */
async function admit(ctx: OpContext, use: OperationName | KeyUse, key: KeyRecord | undefined, named: Named,
  reader: PolicyReader): Promise<KeyRecord> {
  if (!key) throw named.notFound();
  ctx.keysReached.push({ accountId: key.accountId, region: key.region, keyId: key.keyId });
  const { op, action = `kms:${op}`, anyState = false } = typeof use === 'string' ? { op: use } : use;
  chargeKeyUse(ctx, op, key);
  if (ctx.deps.settings.enforceKeyPolicies && !NOT_BY_KEY_POLICY.has(op)) {
    await authorize(ctx, { key, action, requestAlias: named.alias, resourceName: named.resourceName }, reader);
  }
  if (!anyState) checkKeyState(op, key.keyState, () => arnOf(key), key.origin);
  recordKeyUse(ctx, op, key);
  return key;
}

/** Where an alias is read: the store, or the transaction that will lock its key. */
type AliasReader = Pick<StoreOps, 'getAlias'>;

/** Reads nothing for a key ID or key ARN; an alias is looked up (in `reader`) to the key it names. */
async function nameKey(ctx: OpContext, op: OperationName, reader: AliasReader, keyIdParam: string,
  options: ResolveOptions): Promise<Named> {
  const { accountId, region } = ctx.caller;
  if (keyIdParam.startsWith('arn:')) {
    const arn = parseArn(keyIdParam);
    // An ARN whose partition is not its Region's names nothing that can exist (arn:aws-cn:kms:us-east-1:…).
    if (!arn || arn.service !== 'kms' || !/^(key|alias)\//.test(arn.resource) || arn.partition !== partitionOf(arn.region)) {
      throw new KmsError('InvalidArnException', `Invalid arn ${keyIdParam}`);
    }
    if (arn.region !== region) throw new KmsError('NotFoundException', `Invalid arn ${arn.region}`);
    if (arn.resource.startsWith('alias/')) {
      if (!options.aliases) throw aliasRefused(keyIdParam, options);
      return byAlias(ctx, op, reader, arn.accountId, arn.resource);
    }
    const ref = { accountId: arn.accountId, region, keyId: arn.resource.slice('key/'.length) };
    if (!reachable(ctx, op, arn.accountId)) throw keyNotFound(ref);
    return byKeyId(keyIdParam, ref);
  }
  if (keyIdParam.startsWith('alias/')) {
    if (!options.aliases) throw aliasRefused(keyIdParam, options);
    return byAlias(ctx, op, reader, accountId, keyIdParam);
  }
  return byKeyId(keyIdParam, { accountId, region, keyId: keyIdParam });
}

function byKeyId(keyIdParam: string, ref: KeyRef): Named {
  if (!isKeyIdForm(ref.keyId)) throw new KmsError('NotFoundException', `Invalid keyId '${keyIdParam}'`);
  return { ref, notFound: () => keyNotFound(ref) };
}

async function byAlias(ctx: OpContext, op: OperationName, reader: AliasReader, accountId: string,
  aliasName: string): Promise<Named> {
  const { region } = ctx.caller;
  const notFound = () => new KmsError('NotFoundException', `Alias ${aliasArn(region, accountId, aliasName)} is not found.`);
  if (!reachable(ctx, op, accountId)) throw notFound();
  const alias = await reader.getAlias(accountId, region, aliasName);
  if (!alias) throw notFound();
  return { ref: { accountId, region, keyId: alias.targetKeyId }, notFound, alias: aliasName };
}

function keyNotFound(ref: KeyRef): KmsError {
  return new KmsError('NotFoundException', `Key '${arnOf(ref)}' does not exist`);
}

function aliasRefused(keyIdParam: string, options: ResolveOptions): KmsError {
  return options.aliasRefused?.(keyIdParam) ?? new KmsError('NotFoundException', `Invalid keyId '${keyIdParam}'`);
}
