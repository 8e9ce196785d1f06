import { KmsError } from '../model/errors.js';
import type { OperationName } from '../model/types.gen.js';
import type { KeyRecord, StoreOps } from '../store/types.js';
import { aliasArn, keyArn, parseArn } from '../util/arn.js';
import { isKeyIdForm } from '../util/ids.js';
import type { OpContext } from './context.js';
import { checkKeyState } from './key-state.js';

export interface ResolveOptions {
  /** Whether the parameter accepts an alias name or alias ARN (AWS refuses them for key management). */
  readonly aliases: boolean;
  /** AWS's error for an alias where it is refused, when the parameter has its own (CreateAlias's TargetKeyId). */
  readonly aliasRefused?: ((keyIdParam: string) => KmsError) | undefined;
}

/**
 * The one key resolver: turns a KeyId parameter (key ID, key ARN, alias name or alias ARN) into the key
 * record of the caller's account and Region, with AWS's errors for every wrong form, then checks the key
 * state table for `op`.
 */
export async function resolveKey(ctx: OpContext, op: OperationName, keyIdParam: string,
  options: ResolveOptions): Promise<KeyRecord> {
  const key = await findKey(ctx, keyIdParam, options);
  checkKeyState(op, key.keyState, keyArn(key.region, key.accountId, key.keyId), key.origin);
  return key;
}

/**
 * As resolveKey, for a read-modify-write inside `tx`: the key is re-read locked and the key-state table is
 * checked on that locked read, so a change never acts on a state another request has just changed.
 */
export async function resolveKeyLocked(ctx: OpContext, tx: StoreOps, op: OperationName, keyIdParam: string,
  options: ResolveOptions): Promise<KeyRecord> {
  const found = await findKey(ctx, keyIdParam, options);
  const key = await tx.lockKey(found);
  if (!key) throw keyNotFound(found.region, found.accountId, found.keyId);
  checkKeyState(op, key.keyState, keyArn(key.region, key.accountId, key.keyId), key.origin);
  return key;
}

/** As resolveKey, without the key-state check (for operations that decide on the state themselves). */
export async function findKey(ctx: OpContext, keyIdParam: string, options: ResolveOptions): Promise<KeyRecord> {
  const { accountId, region } = ctx.caller;
  let keyId = keyIdParam;

  if (keyIdParam.startsWith('arn:')) {
    const arn = parseArn(keyIdParam);
    if (!arn || arn.service !== 'kms' || !/^(key|alias)\//.test(arn.resource)) {
      throw new KmsError('InvalidArnException', `Invalid arn ${keyIdParam}`);
    }
    if (arn.region !== region) throw new KmsError('NotFoundException', `Invalid arn ${arn.region}`);
    if (arn.resource.startsWith('alias/')) {
      if (!options.aliases) throw aliasRefused(keyIdParam, options);
      return byAlias(ctx, arn.accountId, arn.resource);
    }
    keyId = arn.resource.slice('key/'.length);
    if (arn.accountId !== accountId) throw keyNotFound(region, arn.accountId, keyId);
  } else if (keyIdParam.startsWith('alias/')) {
    if (!options.aliases) throw aliasRefused(keyIdParam, options);
    return byAlias(ctx, accountId, keyIdParam);
  }

  if (!isKeyIdForm(keyId)) throw new KmsError('NotFoundException', `Invalid keyId '${keyIdParam}'`);
  const key = await ctx.deps.store.getKey({ accountId, region, keyId });
  if (!key) throw keyNotFound(region, accountId, keyId);
  return key;
}

async function byAlias(ctx: OpContext, accountId: string, aliasName: string): Promise<KeyRecord> {
  const { region } = ctx.caller;
  const notFound = () => new KmsError('NotFoundException', `Alias ${aliasArn(region, accountId, aliasName)} is not found.`);
  if (accountId !== ctx.caller.accountId) throw notFound();
  const alias = await ctx.deps.store.getAlias(accountId, region, aliasName);
  if (!alias) throw notFound();
  const key = await ctx.deps.store.getKey({ accountId, region, keyId: alias.targetKeyId });
  if (!key) throw notFound();
  return key;
}

function keyNotFound(region: string, accountId: string, keyId: string): KmsError {
  return new KmsError('NotFoundException', `Key '${keyArn(region, accountId, keyId)}' does not exist`);
}

function aliasRefused(keyIdParam: string, options: ResolveOptions): KmsError {
  return options.aliasRefused?.(keyIdParam) ?? new KmsError('NotFoundException', `Invalid keyId '${keyIdParam}'`);
}
