import { arnOf } from '../../util/arn.js';
import type { Handler } from '../context.js';
import { awaitsImport } from '../import/imported-material.js';
import { isStoreConnected } from '../custom-key-stores/key-stores.js';
import { resolveKeyLocked } from '../resolve.js';

/**
 * CancelKeyDeletion: the key returns to Disabled (not to the state it had), as in AWS; a key of imported
 * material that lacks some (never imported, deleted or expired) returns to PendingImport, the only state it can be in.
 * A key of a custom key store that is not connected is Disabled once the store connects, and Unavailable until then.
 */
export const cancelKeyDeletion: Handler<'CancelKeyDeletion'> = async (input, ctx) => {
  const key = await ctx.transaction(async (tx) => {
    const k = await resolveKeyLocked(ctx, tx, 'CancelKeyDeletion', input.KeyId, { aliases: false });
    k.keyState = k.origin === 'EXTERNAL' && awaitsImport(k) ? 'PendingImport' : 'Disabled';
    if (k.customKeyStoreId !== undefined && !await isStoreConnected(tx, k)) {
      k.stateWhenAvailable = 'Disabled';
      k.keyState = 'Unavailable';
    }
    k.deletionDate = undefined;
    k.pendingWindowDays = undefined;
    await tx.updateKey(k);
    return k;
  });
  return { KeyId: arnOf(key) };
};
