import { KEY_SPECS } from '../../keys/specs.js';
import { KmsError } from '../../model/errors.js';
import type { AliasListEntry } from '../../model/types.gen.js';
import type { AliasRecord, KeyRecord, StoreOps } from '../../store/types.js';
import { aliasArn } from '../../util/arn.js';
import type { OpContext } from '../context.js';
import type { ResolveOptions } from '../resolve.js';

const PREFIX = 'alias/';
const RESERVED_PREFIX = 'alias/aws/';

/**
 * The alias-name rules the model's pattern and length cannot express, for every operation that names an
 * alias (CreateAlias, UpdateAlias, DeleteAlias): the `alias/` prefix, a name after it, no colon (the pattern
 * allows one; an alias ARN is not an alias name), and `alias/aws/` reserved for AWS managed keys.
 */
export function checkAliasName(name: string): void {
  if (!name.startsWith(PREFIX)) {
    throw new KmsError('ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
  if (name.startsWith(RESERVED_PREFIX)) throw new KmsError('NotAuthorizedException');
  if (name.includes(':')) throw new KmsError('ValidationException', `${name} contains invalid characters for an alias`);
  if (name.length === PREFIX.length) throw new KmsError('ValidationException', `Alias name ${name} must have a name after the prefix "alias/".`);
}

/** How CreateAlias and UpdateAlias resolve TargetKeyId: key ID or key ARN, and AWS's own error for an alias. */
export const TARGET_KEY: ResolveOptions = {
  aliases: false,
  aliasRefused: () => new KmsError('ValidationException', 'Aliases must refer to keys. Not aliases'),
};

export function aliasNotFound(ctx: OpContext, name: string): KmsError {
  return new KmsError('NotFoundException', `Alias ${aliasArn(ctx.caller.region, ctx.caller.accountId, name)} is not found.`);
}

/**
 * Refuses a key that already has the most aliases it may have (the aliases-per-key quota). Reads inside `tx`
 * after the key is locked, so racing creates for one key take turns and cannot both pass it.
 */
export async function checkAliasQuota(ctx: OpContext, tx: StoreOps, key: KeyRecord): Promise<void> {
  const { accountId, region } = ctx.caller;
  const max = ctx.deps.quotas.aliasesPerKey;
  const aliases = await tx.listAliases(accountId, region, key.keyId, { limit: max });
  if (aliases.length >= max) {
    throw new KmsError('LimitExceededException', `The KMS key ${key.keyId} already has ${max} aliases, the most a KMS key can have.`);
  }
}

/** Symmetric encryption, asymmetric or HMAC: UpdateAlias moves an alias only between keys of one type and usage. */
export function keyType(key: KeyRecord): 'symmetric' | 'hmac' | 'asymmetric' {
  const family = KEY_SPECS[key.keySpec].family;
  return family === 'symmetric' || family === 'hmac' ? family : 'asymmetric';
}

export function aliasEntry(a: AliasRecord): AliasListEntry {
  return {
    AliasName: a.aliasName,
    AliasArn: aliasArn(a.region, a.accountId, a.aliasName),
    TargetKeyId: a.targetKeyId,
    CreationDate: a.createdAt,
    LastUpdatedDate: a.updatedAt,
  };
}
