import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The root key that every secret at rest is wrapped under: AES-256-GCM, with the secret's identity as
 * associated data so that a wrapped blob moved to another record (another key, another material version)
 * no longer unwraps. Format: version (1 byte) ‖ IV (12) ‖ ciphertext ‖ tag (16).
 */
export class RootKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the root key must be 32 bytes');
    this.#key = Buffer.from(key);
  }

  wrap(identity: string, secret: Buffer): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(identity, 'utf8'));
    const body = Buffer.concat([cipher.update(secret), cipher.final()]);
    return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]);
  }

  /** Throws if the blob was not wrapped by this root key for this identity. */
  unwrap(identity: string, wrapped: Buffer): Buffer {
    if (wrapped.length < 1 + IV_BYTES + TAG_BYTES || wrapped[0] !== VERSION) {
      throw new Error(`wrapped secret for ${identity} has an unknown format`);
    }
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAAD(Buffer.from(identity, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(wrapped.subarray(1 + IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
  }
}

/** The identities secrets are bound to: one function each, so wrap and unwrap can never disagree. */
export const wrapIdentity = {
  material: (accountId: string, keyId: string, materialId: string) => `material:${accountId}:${keyId}:${materialId}`,
  accessKey: (accessKeyId: string) => `access-key:${accessKeyId}`,
  pooled: (id: string) => `pool:${id}`,
  /** The private half of a wrapping key pair (GetParametersForImport), bound to its token and KMS key. */
  importParameters: (accountId: string, keyId: string, tokenId: string) => `import:${accountId}:${keyId}:${tokenId}`,
  rootCheck: () => 'root-key-check',
  /** A custom key store's secret: its XKS proxy secret access key, or its key store password. */
  customKeyStoreSecret: (accountId: string, customKeyStoreId: string) => `custom-key-store:${accountId}:${customKeyStoreId}`,
};
