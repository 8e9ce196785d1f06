/**
 * Operations Trent does not implement yet still answer every request AWS would refuse with AWS's error:
 * validation, the key's existence, its origin and state come before "not implemented".
 */
import { describe, test } from 'node:test';
import {
  CreateGrantCommand, DeleteImportedKeyMaterialCommand, GetParametersForImportCommand, ImportKeyMaterialCommand,
  ScheduleKeyDeletionCommand, type GetParametersForImportCommandInput,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { useTrent } from '../support/trent.js';

describe('operations not implemented yet, through @aws-sdk/client-kms', () => {
  const trent = useTrent();
  const kms = trent.client();
  const parameters = (KeyId: string): GetParametersForImportCommandInput =>
    ({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' });

  test('import operations refuse a key whose origin is not EXTERNAL, in any state, as AWS does (recorded text)', async () => {
    const key = await createKey(kms);
    const origin = `${key.Arn} origin is AWS_KMS which is not valid for this operation.`;
    await rejects(kms.send(new GetParametersForImportCommand(parameters(key.KeyId!))), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException', origin);
    await rejects(kms.send(new ImportKeyMaterialCommand({
      KeyId: key.KeyId, ImportToken: Buffer.from('t'), EncryptedKeyMaterial: Buffer.from('m'), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    })), 'UnsupportedOperationException', origin);
    // Footnote [9] of the key-state table: a key that cannot have imported material is refused for that.
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new GetParametersForImportCommand(parameters(key.KeyId!))), 'UnsupportedOperationException', origin);
  });

  test('validation and the key come first; only a request AWS would carry out hears "not implemented"', async () => {
    await rejects(kms.send(new GetParametersForImportCommand({ ...parameters('00000000-0000-0000-0000-000000000000'), WrappingKeySpec: 'RSA_1024' as never })),
      'ValidationException', /at 'wrappingKeySpec' failed to satisfy constraint/);
    await rejects(kms.send(new GetParametersForImportCommand(parameters('00000000-0000-0000-0000-000000000000'))), 'NotFoundException',
      "Key 'arn:aws:kms:us-west-2:111122223333:key/00000000-0000-0000-0000-000000000000' does not exist");
    await rejects(kms.send(new GetParametersForImportCommand(parameters('alias/any'))), 'NotFoundException', "Invalid keyId 'alias/any'");
    await rejects(kms.send(new CreateGrantCommand({
      KeyId: '00000000-0000-0000-0000-000000000000', GranteePrincipal: 'arn:aws:iam::111122223333:root', Operations: ['Decrypt'],
    })), 'NotFoundException');
    const external = await createKey(kms, { Origin: 'EXTERNAL' });
    await rejects(kms.send(new GetParametersForImportCommand(parameters(external.KeyId!))), 'UnsupportedOperationException',
      'Trent does not implement GetParametersForImport yet.');
  });
});
