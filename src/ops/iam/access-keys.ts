import { QueryError } from '../../model/query-errors.js';
import type { AccessKeyRecord, StoreReads } from '../../store/types.js';
import type { OpContext } from '../context.js';
import type { IamHandler } from './handler.js';
import { requireIdentity, userNameOrCaller } from './identity.js';
import { newAccessKey } from './records.js';

/** IAM's quota of access keys per user. */
const ACCESS_KEYS_PER_USER = 2;

/** The user an access key operation acts on (its canonical name), or undefined for the account root's own keys. */
async function ownerOf(reads: StoreReads, ctx: OpContext, userName: string | undefined): Promise<string | undefined> {
  const name = userNameOrCaller(ctx, userName);
  return name === undefined ? undefined : (await requireIdentity(reads, ctx, 'user', name)).name;
}

/** The key, if it is the owner's; NoSuchEntity otherwise, as IAM answers for a key of another user. */
async function requireKeyOf(reads: StoreReads, ctx: OpContext, owner: string | undefined, accessKeyId: string): Promise<AccessKeyRecord> {
  const key = await reads.getAccessKey(accessKeyId);
  if (!key || key.accountId !== ctx.caller.accountId || key.userName !== owner) {
    throw new QueryError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
  }
  return key;
}

export const createAccessKey: IamHandler<'CreateAccessKey'> = async (input, ctx) => {
  const { record, secretAccessKey } = await ctx.transaction(async (tx) => {
    const owner = await ownerOf(tx, ctx, input.UserName);
    if (owner !== undefined && (await tx.listAccessKeysOf(ctx.caller.accountId, owner)).length >= ACCESS_KEYS_PER_USER) {
      throw new QueryError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
    }
    const made = newAccessKey(ctx.deps.root, ctx.caller.accountId, owner, ctx.now);
    await tx.insertAccessKey(made.record);
    return made;
  });
  return {
    AccessKey: {
      // The root's keys have no user name; the model's type wants one, and IAM sends none.
      UserName: record.userName as string, AccessKeyId: record.accessKeyId, Status: record.status, SecretAccessKey: secretAccessKey,
      CreateDate: record.createdAt,
    },
  };
};

export const listAccessKeys: IamHandler<'ListAccessKeys'> = async (input, ctx) => {
  const owner = await ownerOf(ctx.deps.store, ctx, input.UserName);
  const keys = await ctx.deps.store.listAccessKeysOf(ctx.caller.accountId, owner);
  return {
    AccessKeyMetadata: keys.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: k.createdAt })),
    IsTruncated: false,
  };
};

/** Active or Inactive: an Inactive key is refused at authentication from the moment this answers. */
export const updateAccessKey: IamHandler<'UpdateAccessKey'> = async (input, ctx) => {
  if (input.Status === 'Expired') {
    throw new QueryError('InvalidInput', 'Status Expired is not a valid status for an access key: use Active or Inactive.');
  }
  const status = input.Status;
  await ctx.transaction(async (tx) => {
    const owner = await ownerOf(tx, ctx, input.UserName);
    await requireKeyOf(tx, ctx, owner, input.AccessKeyId);
    await tx.updateAccessKeyStatus(input.AccessKeyId, status);
  });
  return {};
};

export const deleteAccessKey: IamHandler<'DeleteAccessKey'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const owner = await ownerOf(tx, ctx, input.UserName);
    await requireKeyOf(tx, ctx, owner, input.AccessKeyId);
    await tx.deleteAccessKey(input.AccessKeyId);
  });
  return {};
};
