import { KmsError } from '../model/errors.js';
import type { OpContext } from './context.js';

/**
 * Looks a custom key store up by ID. Trent does not yet create custom key stores (CreateCustomKeyStore is
 * a later stage), so none exists and every lookup answers as AWS does for an unknown one.
 */
export async function findCustomKeyStore(_ctx: OpContext, id: string): Promise<never> {
  throw new KmsError('CustomKeyStoreNotFoundException', `Custom key store ${id} does not exist.`);
}
