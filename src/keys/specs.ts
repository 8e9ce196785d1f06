import type {
  EncryptionAlgorithmSpec, KeyAgreementAlgorithmSpec, KeySpec, KeyUsageType, MacAlgorithmSpec, SigningAlgorithmSpec,
} from '../model/types.gen.js';

/** Which implementation in keys/families/ holds a key spec's cryptography. */
export type KeyFamilyName = 'symmetric' | 'hmac' | 'rsa' | 'ecc' | 'ed25519' | 'mldsa' | 'sm2';

/** The algorithms a key of one spec and one usage supports, as KeyMetadata lists them. */
export interface UsageAlgorithms {
  readonly EncryptionAlgorithms?: readonly EncryptionAlgorithmSpec[];
  readonly SigningAlgorithms?: readonly SigningAlgorithmSpec[];
  readonly MacAlgorithms?: readonly MacAlgorithmSpec[];
  readonly KeyAgreementAlgorithms?: readonly KeyAgreementAlgorithmSpec[];
}

export interface KeySpecInfo {
  readonly family: KeyFamilyName;
  /** Usages this spec allows, each with its algorithms; a usage absent here is refused at CreateKey. */
  readonly usages: Readonly<Partial<Record<KeyUsageType, UsageAlgorithms>>>;
  /** Only in the China partition (aws-cn), as AWS offers it, unless the server is configured otherwise. */
  readonly chinaOnly?: boolean;
}

const RSA: KeySpecInfo['usages'] = {
  ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
  SIGN_VERIFY: {
    SigningAlgorithms: [
      'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
      'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
    ],
  },
};
const nist = (alg: SigningAlgorithmSpec): KeySpecInfo['usages'] => ({
  SIGN_VERIFY: { SigningAlgorithms: [alg] },
  KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] },
});
const hmac = (alg: MacAlgorithmSpec): KeySpecInfo['usages'] => ({ GENERATE_VERIFY_MAC: { MacAlgorithms: [alg] } });
const mldsa: KeySpecInfo['usages'] = { SIGN_VERIFY: { SigningAlgorithms: ['ML_DSA_SHAKE_256'] } };

/** The one table of key specs: every other layer asks it rather than switching on a spec. */
export const KEY_SPECS: Readonly<Record<KeySpec, KeySpecInfo>> = {
  SYMMETRIC_DEFAULT: { family: 'symmetric', usages: { ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] } } },
  HMAC_224: { family: 'hmac', usages: hmac('HMAC_SHA_224') },
  HMAC_256: { family: 'hmac', usages: hmac('HMAC_SHA_256') },
  HMAC_384: { family: 'hmac', usages: hmac('HMAC_SHA_384') },
  HMAC_512: { family: 'hmac', usages: hmac('HMAC_SHA_512') },
  RSA_2048: { family: 'rsa', usages: RSA },
  RSA_3072: { family: 'rsa', usages: RSA },
  RSA_4096: { family: 'rsa', usages: RSA },
  ECC_NIST_P256: { family: 'ecc', usages: nist('ECDSA_SHA_256') },
  ECC_NIST_P384: { family: 'ecc', usages: nist('ECDSA_SHA_384') },
  ECC_NIST_P521: { family: 'ecc', usages: nist('ECDSA_SHA_512') },
  ECC_SECG_P256K1: { family: 'ecc', usages: { SIGN_VERIFY: { SigningAlgorithms: ['ECDSA_SHA_256'] } } },
  ECC_NIST_EDWARDS25519: {
    family: 'ed25519', usages: { SIGN_VERIFY: { SigningAlgorithms: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] } },
  },
  ML_DSA_44: { family: 'mldsa', usages: mldsa },
  ML_DSA_65: { family: 'mldsa', usages: mldsa },
  ML_DSA_87: { family: 'mldsa', usages: mldsa },
  SM2: {
    family: 'sm2',
    chinaOnly: true,
    usages: {
      ENCRYPT_DECRYPT: { EncryptionAlgorithms: ['SM2PKE'] },
      SIGN_VERIFY: { SigningAlgorithms: ['SM2DSA'] },
      KEY_AGREEMENT: { KeyAgreementAlgorithms: ['ECDH'] },
    },
  },
};

export function isAsymmetric(spec: KeySpec): boolean {
  const f = KEY_SPECS[spec].family;
  return f !== 'symmetric' && f !== 'hmac';
}
