import type { OperationName } from '../model/types.gen.js';
import { aliasArn } from '../util/arn.js';
import { authorizeWithoutKey } from './authorize.js';
import type { OpContext } from './context.js';

/** The resource IAM names an action by: `*` for the account's (a key to be made, a listing), or an alias's ARN. */
type ResourceOf = (ctx: OpContext) => string;

const ANY: ResourceOf = () => '*';
const ALIAS: ResourceOf = (ctx) => aliasArn(ctx.caller.region, ctx.caller.accountId, String(ctx.input.AliasName));

/** The identity-policy permission an operation needs, when it is not kms:<operation> on `*`. */
interface AccountAction {
  readonly action?: string;
  readonly resource: ResourceOf;
}

/**
 * The operations whose permission AWS takes from the caller's identity policies alone, because no key policy
 * can hold it (kms:CreateKey, kms:ListKeys...), and the alias operations, which need it on the alias too: an
 * alias has no policy of its own, so besides the key policy of each key it names (the resolver asks), the
 * caller's IAM policy must allow the action on the alias's ARN. The account root needs no identity policy.
 */
const ACCOUNT_ACTIONS: Partial<Record<OperationName, ResourceOf | AccountAction>> = {
  CreateKey: ANY,
  // ReplicateKey makes a key in the replica Region: the key policy allows kms:ReplicateKey on the primary (the
  // resolver asks), and IAM must allow kms:CreateKey, as AWS documents.
  ReplicateKey: { action: 'kms:CreateKey', resource: ANY },
  ListKeys: ANY,
  ListAliases: ANY,
  GenerateRandom: ANY,
  ListRetirableGrants: ANY,
  CreateCustomKeyStore: ANY,
  DescribeCustomKeyStores: ANY,
  UpdateCustomKeyStore: ANY,
  DeleteCustomKeyStore: ANY,
  ConnectCustomKeyStore: ANY,
  DisconnectCustomKeyStore: ANY,
  CreateAlias: ALIAS,
  UpdateAlias: ALIAS,
  DeleteAlias: ALIAS,
};

/** Authorizes what `operation` does beyond the keys it names, where policies are enforced; the resolver does the keys. */
export async function authorizeAccountAction(ctx: OpContext, operation: OperationName): Promise<void> {
  const needed = ACCOUNT_ACTIONS[operation];
  if (!needed || !ctx.deps.settings.enforceKeyPolicies) return;
  const { action = `kms:${operation}`, resource } = typeof needed === 'function' ? { resource: needed } : needed;
  await authorizeWithoutKey(ctx, action, resource(ctx));
}
