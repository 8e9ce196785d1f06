import { KmsError } from '../model/errors.js';
import type { RecipientInfo } from '../model/types.gen.js';

/**
 * Refuses the Recipient parameter. AWS accepts it only with an attestation document signed by the AWS Nitro
 * PKI, and then returns the secret encrypted to the enclave instead of in plaintext. Trent cannot check such a
 * document, and answering in plaintext would hand the secret to a caller that asked for it never to leave the
 * enclave, so it says so instead.
 */
export function refuseRecipient(recipient: RecipientInfo | undefined): void {
  if (recipient !== undefined) {
    throw new KmsError('UnsupportedOperationException',
      'Trent cannot verify Nitro Enclaves or NitroTPM attestation documents, so it does not support the Recipient parameter.');
  }
}
