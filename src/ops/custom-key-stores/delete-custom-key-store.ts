import { KmsError } from '../../model/errors.js';
import type { Handler } from '../context.js';
import { findCustomKeyStore, storeStateError } from './key-stores.js';

/**
 * DeleteCustomKeyStore: only a disconnected store without keys. Keys pending deletion still count, as in AWS:
 * the store can go once they are deleted.
 */
export const deleteCustomKeyStore: Handler<'DeleteCustomKeyStore'> = async (input, ctx) => {
  await ctx.transaction(async (tx) => {
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId, tx);
    if (s.connectionState !== 'DISCONNECTED') {
      throw storeStateError('The custom key store must be disconnected (DisconnectCustomKeyStore) before it can be deleted.');
    }
    if ((await tx.keysInCustomKeyStore(s.accountId, s.region, s.customKeyStoreId, 1)).length > 0) {
      throw new KmsError('CustomKeyStoreHasCMKsException',
        'The custom key store contains KMS keys. After verifying that you do not need to use the KMS keys, use the ScheduleKeyDeletion operation to delete the KMS keys. After they are deleted, you can delete the custom key store.');
    }
    await tx.deleteCustomKeyStore(s.accountId, s.region, s.customKeyStoreId);
  });
  return {};
};
