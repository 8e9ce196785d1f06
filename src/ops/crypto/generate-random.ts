import { randomBytes } from 'node:crypto';
import { KmsError } from '../../model/errors.js';
import type { Handler } from '../context.js';
import { hsmError, pinOf } from '../custom-key-stores/cloudhsm.js';
import { callBacking, findCustomKeyStore, storeStateError } from '../custom-key-stores/key-stores.js';
import type { CustomKeyStoreRecord } from '../../store/types.js';
import type { OpContext } from '../context.js';
import { refuseRecipient } from '../recipient.js';

/**
 * GenerateRandom: bytes from the operating system's CSPRNG, or from the token of an AWS CloudHSM key store. The model leaves NumberOfBytes optional but AWS
 * requires it (recorded text); its range (1–1,024) the model checks.
 */
export const generateRandom: Handler<'GenerateRandom'> = async (input, ctx) => {
  refuseRecipient(input.Recipient);
  if (input.NumberOfBytes === undefined) throw new KmsError('ValidationException', 'NumberOfBytes is required.');
  if (input.CustomKeyStoreId !== undefined) {
    // Only an AWS CloudHSM key store makes random bytes; an external key store's proxy API has no such call.
    const s = await findCustomKeyStore(ctx, input.CustomKeyStoreId);
    if (s.type === 'EXTERNAL_KEY_STORE') {
      throw new KmsError('UnsupportedOperationException',
        'GenerateRandom does not support external key stores. Specify the ID of an AWS CloudHSM key store, or omit CustomKeyStoreId.');
    }
    if (s.connectionState !== 'CONNECTED') throw storeStateError(`The custom key store ${s.customKeyStoreId} is not connected.`);
    return { Plaintext: await randomInToken(ctx, s, input.NumberOfBytes) };
  }
  return { Plaintext: randomBytes(input.NumberOfBytes) };
};

/** Random bytes from the token of an AWS CloudHSM key store (C_GenerateRandom). */
async function randomInToken(ctx: OpContext, s: CustomKeyStoreRecord, n: number): Promise<Buffer> {
  try {
    return await callBacking(ctx, s.customKeyStoreId, 'GenerateRandom', () => ctx.deps.hsm.random(s.cloudHsmClusterId!, pinOf(ctx.deps, s), n));
  } catch (e) {
    throw hsmError(e, s.customKeyStoreId);
  }
}
