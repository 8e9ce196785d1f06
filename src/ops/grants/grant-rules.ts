import { KmsError } from '../../model/errors.js';
import { SHAPES } from '../../model/shapes.gen.js';
import type { GrantOperation } from '../../model/types.gen.js';
import type { GrantRecord, KeyRecord } from '../../store/types.js';
import { arnOf } from '../../util/arn.js';

export const GRANT_OPERATIONS: ReadonlySet<string> = new Set(SHAPES.GrantOperation!.enum);

/** What a grant may allow on a symmetric encryption key, beyond what it may allow on any key. */
const SYMMETRIC_OPERATIONS: readonly GrantOperation[] = [
  'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
];

/**
 * The operations that take an encryption context, to which grant constraints apply when the key is a
 * symmetric encryption key (GrantConstraints: "all cryptographic operations with a symmetric KMS key").
 */
export const CONSTRAINED_OPERATIONS: ReadonlySet<string> = new Set(SYMMETRIC_OPERATIONS);

/**
 * Encryption context constraints are for symmetric encryption keys: "You cannot use an encryption context grant
 * constraint for cryptographic operations with asymmetric KMS keys or HMAC KMS keys" (CreateGrant), and each
 * holds at most 8 pairs with values of at most 384 characters (GrantConstraints). AWS's texts are not public.
 */
export function requireApplicableConstraints(key: KeyRecord, terms: { readonly constraints?: GrantRecord['constraints'] }): void {
  const { constraints } = terms;
  if (!constraints) return;
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('ValidationException',
      `Encryption context grant constraints are not valid for ${arnOf(key)}: only symmetric encryption KMS keys take them.`);
  }
  for (const [name, context] of Object.entries(constraints)) {
    if (!context) continue;
    const pairs = Object.entries(context);
    if (pairs.length > 8) throw new KmsError('ValidationException', `A grant constraint (${name}) holds at most 8 encryption context pairs.`);
    if (pairs.some(([, v]) => [...v].length > 384)) {
      throw new KmsError('ValidationException', `A grant constraint's (${name}) values are at most 384 characters long.`);
    }
  }
}

/** What a grant may allow on any key. */
const ON_ANY_KEY: readonly GrantOperation[] = ['CreateGrant', 'RetireGrant', 'DescribeKey'];

/** The grant operations that fit a key, by its type (the developer guide's "Grant operations" table). */
function operationsFor(key: KeyRecord): readonly GrantOperation[] {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') return SYMMETRIC_OPERATIONS;
  switch (key.keyUsage) {
    case 'ENCRYPT_DECRYPT': return ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'];
    case 'SIGN_VERIFY': return ['Sign', 'Verify', 'GetPublicKey'];
    case 'GENERATE_VERIFY_MAC': return ['GenerateMac', 'VerifyMac'];
    case 'KEY_AGREEMENT': return ['DeriveSharedSecret', 'GetPublicKey'];
  }
}

/**
 * A grant's operations must be ones a grant can allow on this key ("you cannot create a grant for a symmetric
 * encryption KMS key that allows the Sign operation": ValidationException), and not CreateGrant alone (AWS's
 * recorded text). AWS's wording for an operation that does not fit the key is not public; Trent's names the
 * operations and the key's spec and usage.
 */
export function requireGrantableOperations(key: KeyRecord, operations: readonly GrantOperation[]): void {
  const fitting = new Set([...ON_ANY_KEY, ...operationsFor(key)]);
  const unfit = operations.filter((op) => !fitting.has(op));
  if (unfit.length > 0) {
    throw new KmsError('ValidationException',
      `Grant operations [${unfit.join(', ')}] are not valid for ${arnOf(key)}, whose key spec is ${key.keySpec} and key usage ${key.keyUsage}.`);
  }
  if (operations.every((op) => op === 'CreateGrant')) {
    throw new KmsError('ValidationException', 'Grants must not contain only the CreateGrant operation.');
  }
}
