import facts from 'virtual:kms-facts';

/** What the console offers, from Trent's key spec table and the KMS model (generated at build time: vite.config.ts). */
export { facts };

export type KeyType = 'SYMMETRIC' | 'ASYMMETRIC';

/** The guide's words for each key usage. */
export const USAGE_LABELS: Record<string, string> = {
  ENCRYPT_DECRYPT: 'Encrypt and decrypt',
  SIGN_VERIFY: 'Sign and verify',
  KEY_AGREEMENT: 'Key agreement',
  GENERATE_VERIFY_MAC: 'Generate and verify MAC',
};

export const ORIGIN_LABELS: Record<string, string> = {
  AWS_KMS: 'KMS - recommended',
  EXTERNAL: 'External (Import key material)',
  AWS_CLOUDHSM: 'AWS CloudHSM key store',
  EXTERNAL_KEY_STORE: 'External key store',
};

/** ScheduleKeyDeletion's waiting period: the model allows 1-365, KMS enforces 7-30 (kms-facts.md). */
export const WAITING_PERIOD = { min: 7, max: 30, default: 30 } as const;

/** SM2 exists only in the China Regions, as in AWS. */
function offered(spec: (typeof facts.keySpecs)[number], region: string): boolean {
  return !spec.chinaOnly || region.startsWith('cn-');
}

export function usagesFor(type: KeyType, region: string): string[] {
  const usages = new Set<string>();
  for (const s of facts.keySpecs) if (s.asymmetric === (type === 'ASYMMETRIC') && offered(s, region)) s.usages.forEach((u) => usages.add(u));
  return Object.keys(USAGE_LABELS).filter((u) => usages.has(u));
}

export function specsFor(type: KeyType, usage: string, region: string): string[] {
  return facts.keySpecs
    .filter((s) => s.asymmetric === (type === 'ASYMMETRIC') && s.usages.includes(usage) && offered(s, region))
    .map((s) => s.spec);
}

export function isAsymmetricSpec(spec: string | undefined): boolean {
  return facts.keySpecs.find((s) => s.spec === spec)?.asymmetric ?? false;
}

/** The model's patterns are whole-string matches. */
export function matchesPattern(value: string, limits: { pattern?: string }): boolean {
  return limits.pattern === undefined || new RegExp(limits.pattern, 'u').test(value);
}

/** The partition of ARNs in a Region. */
export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

/** The Regions the Region selector offers (Trent serves any Region name; these are AWS's commercial ones and China's). */
export const REGIONS: ReadonlyArray<readonly [string, string]> = [
  ['us-east-1', 'US East (N. Virginia)'], ['us-east-2', 'US East (Ohio)'], ['us-west-1', 'US West (N. California)'],
  ['us-west-2', 'US West (Oregon)'], ['af-south-1', 'Africa (Cape Town)'], ['ap-east-1', 'Asia Pacific (Hong Kong)'],
  ['ap-south-1', 'Asia Pacific (Mumbai)'], ['ap-northeast-1', 'Asia Pacific (Tokyo)'], ['ap-northeast-2', 'Asia Pacific (Seoul)'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)'], ['ap-southeast-1', 'Asia Pacific (Singapore)'],
  ['ap-southeast-2', 'Asia Pacific (Sydney)'], ['ca-central-1', 'Canada (Central)'], ['eu-central-1', 'Europe (Frankfurt)'],
  ['eu-west-1', 'Europe (Ireland)'], ['eu-west-2', 'Europe (London)'], ['eu-west-3', 'Europe (Paris)'],
  ['eu-north-1', 'Europe (Stockholm)'], ['eu-south-1', 'Europe (Milan)'], ['me-south-1', 'Middle East (Bahrain)'],
  ['sa-east-1', 'South America (São Paulo)'], ['cn-north-1', 'China (Beijing)'], ['cn-northwest-1', 'China (Ningxia)'],
];
