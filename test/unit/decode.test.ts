import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KmsError } from '../../src/model/errors.js';
import { canonicalContext } from '../../src/keys/ciphertext.js';
import { decodeInput, encodeOutput } from '../../src/protocol/decode.js';
import { throws } from '../support/kms.js';

function validationMessage(shape: string, body: unknown): string {
  try {
    decodeInput(shape, body);
  } catch (e) {
    assert.ok(e instanceof KmsError);
    assert.equal(e.type, 'ValidationException');
    return e.message;
  }
  return assert.fail('expected a ValidationException');
}

function serializationError(shape: string, body: unknown): void {
  throws(() => decodeInput(shape, body), 'SerializationException');
}

describe('request validation driven by the model', () => {
  test('lengths count code points, not UTF-16 units or bytes', () => {
    // 8,192 astral characters are 16,384 UTF-16 units and 32,768 bytes, and still fit DescriptionType (max 8,192).
    assert.doesNotThrow(() => decodeInput('CreateKeyRequest', { Description: '😀'.repeat(8192) }));
    assert.match(validationMessage('CreateKeyRequest', { Description: '😀'.repeat(8193) }),
      /^1 validation error detected: Value '😀+' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192$/u);
  });

  test('list items are named by their 1-based position', () => {
    const tags = [{ TagKey: 'ok', TagValue: '' }, { TagKey: 'k'.repeat(129), TagValue: 'v' }];
    assert.equal(validationMessage('CreateKeyRequest', { Tags: tags }),
      `1 validation error detected: Value '${'k'.repeat(129)}' at 'tags.2.member.tagKey' failed to satisfy constraint: ` +
      'Member must have length less than or equal to 128');
  });

  test('required members, enums, ranges and patterns, all reported together', () => {
    assert.equal(validationMessage('DescribeKeyRequest', {}),
      "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    const m = validationMessage('CreateAliasRequest', { AliasName: 'alias/bad name', TargetKeyId: '' });
    assert.match(m, /^2 validation errors detected: /);
    assert.match(m, /Value 'alias\/bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: \^\[a-zA-Z0-9:\/_-\]\+\$/);
    assert.match(m, /Value '' at 'targetKeyId' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    assert.equal(validationMessage('GenerateRandomRequest', { NumberOfBytes: 1025 }),
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
    assert.match(validationMessage('CreateKeyRequest', { KeyUsage: 'NOPE' }),
      /^1 validation error detected: Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT, SIGN_VERIFY\]$/);
  });

  test('sensitive members are never echoed', () => {
    const m = validationMessage('EncryptRequest', { KeyId: 'k', Plaintext: Buffer.alloc(4097, 's').toString('base64') });
    assert.equal(m, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    assert.doesNotMatch(m, /sss/);
  });

  test('blobs are decoded from base64 and measured in bytes', () => {
    const input = decodeInput('EncryptRequest', { KeyId: 'k', Plaintext: Buffer.from('hello').toString('base64') }) as { Plaintext: Buffer };
    assert.ok(Buffer.isBuffer(input.Plaintext));
    assert.equal(input.Plaintext.toString(), 'hello');
  });

  test('a value of the wrong JSON type is a SerializationException', () => {
    serializationError('ListKeysRequest', { Limit: '10' });
    serializationError('ListKeysRequest', { Limit: 1.5 });
    serializationError('CreateKeyRequest', { Tags: { TagKey: 'a' } });
    serializationError('CreateKeyRequest', { MultiRegion: 'true' });
    serializationError('EncryptRequest', { KeyId: 'k', Plaintext: 'not base64!' });
  });

  test('a map member named __proto__ is kept as a pair, so it is bound like any other', () => {
    const body = JSON.parse('{"KeyId":"k","Plaintext":"aGk=","EncryptionContext":{"__proto__":"x","a":"b"}}') as unknown;
    const input = decodeInput('EncryptRequest', body) as { EncryptionContext: Record<string, string> };
    assert.deepEqual(Object.entries(input.EncryptionContext), [['__proto__', 'x'], ['a', 'b']]);
    assert.notDeepEqual(canonicalContext(input.EncryptionContext), canonicalContext({ a: 'b' }));
  });

  test('a map over its byte limit is refused before any entry is decoded; UTF-8 bytes of keys and values count', () => {
    const limits = { mapBytes: { EncryptionContextType: 16 } };
    const encrypt = (context: unknown) => decodeInput('EncryptRequest', { KeyId: 'k', Plaintext: 'aGk=', EncryptionContext: context }, limits);
    assert.doesNotThrow(() => encrypt({ abcd: 'efgh', ijkl: 'mnop' }));
    throws(() => encrypt({ abcd: 'efgh', ijkl: 'mnopq' }), 'LimitExceededException',
      "Value at 'encryptionContext' exceeds the quota of 16 bytes for its keys and values together.");
    // 'é' is 2 bytes: 8 of them are 16.
    assert.doesNotThrow(() => encrypt({ éééé: 'éééé' }));
    throws(() => encrypt({ éééé: 'éééée' }), 'LimitExceededException');
    // Refused before the entries are type-checked: a mistyped entry past the limit is never reached.
    throws(() => encrypt({ abcdefghijklmnopq: 'x', b: 7 }), 'LimitExceededException');
    // Each map member is bounded on its own (ReEncrypt has two).
    assert.doesNotThrow(() => decodeInput('ReEncryptRequest', {
      CiphertextBlob: 'aGk=', DestinationKeyId: 'k',
      SourceEncryptionContext: { abcd: 'efghijklmnop' }, DestinationEncryptionContext: { abcd: 'efghijklmnop' },
    }, limits));
    throws(() => decodeInput('ReEncryptRequest', { CiphertextBlob: 'aGk=', DestinationKeyId: 'k',
      DestinationEncryptionContext: { abcd: 'efghijklmnopq' } }, limits), 'LimitExceededException',
    /at 'destinationEncryptionContext'/);
  });

  test('unknown members are ignored, as AWS ignores them', () => {
    assert.deepEqual(decodeInput('ListKeysRequest', { Limit: 5, Surprise: true }), { Limit: 5 });
  });

  test('responses: blobs to base64, dates to epoch seconds, absent members left out', () => {
    assert.deepEqual(encodeOutput({ A: Buffer.from('hi'), B: new Date(1500), C: undefined, D: [new Date(0)] }),
      { A: 'aGk=', B: 1.5, D: [0] });
  });
});
