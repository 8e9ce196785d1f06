import type {
  EncryptionAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from '../model/types.gen.js';

/**
 * The cryptography of one family of key specs (keys/families/*.ts). Pure: no I/O, no store, no HTTP.
 *
 * `material` is the secret a KMS key holds, in the family's own canonical encoding, exactly as `generate`
 * returns it and as the store keeps it (wrapped under the root key): the raw key bytes for AES and HMAC,
 * PKCS#8 DER for RSA, ECC, Ed25519 and SM2, and the 32-byte seed for ML-DSA.
 *
 * Errors a caller can cause (a digest of the wrong length, a peer key on another curve) are thrown as
 * KmsError with AWS's type and text; a signature or MAC that does not verify is `false`, not an error.
 */
export interface KeyFamily {
  /** New secret material for `spec`. Asynchronous so slow generation (RSA) runs off the event loop. */
  generate(spec: KeySpec): Promise<Buffer>;
  /** DER SubjectPublicKeyInfo of an asymmetric key. */
  publicKey?(spec: KeySpec, material: Buffer): Buffer;
  sign?(spec: KeySpec, material: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType): Buffer;
  verify?(spec: KeySpec, material: Buffer, algorithm: SigningAlgorithmSpec, message: Buffer, type: MessageType,
    signature: Buffer): boolean;
  /** Public-key encryption (RSA OAEP, SM2PKE); symmetric encryption lives in keys/ciphertext.ts. */
  encrypt?(spec: KeySpec, material: Buffer, algorithm: EncryptionAlgorithmSpec, plaintext: Buffer): Buffer;
  decrypt?(spec: KeySpec, material: Buffer, algorithm: EncryptionAlgorithmSpec, ciphertext: Buffer): Buffer;
  /** ECDH: the raw shared secret (the x coordinate) with a peer given as DER SubjectPublicKeyInfo. */
  deriveSharedSecret?(spec: KeySpec, material: Buffer, peerPublicKey: Buffer): Buffer;
  mac?(spec: KeySpec, material: Buffer, algorithm: MacAlgorithmSpec, message: Buffer): Buffer;
}
