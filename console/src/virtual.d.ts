declare module 'virtual:kms-facts' {
  interface Limits { readonly enum?: string[]; readonly pattern?: string; readonly min?: number; readonly max?: number }
  const facts: {
    readonly keySpecs: ReadonlyArray<{
      readonly spec: string;
      readonly asymmetric: boolean;
      readonly usages: readonly string[];
      readonly algorithms: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
      readonly chinaOnly: boolean;
    }>;
    readonly origins: readonly string[];
    readonly keyStates: readonly string[];
    readonly aliasName: Limits;
    readonly description: Limits;
    readonly tagKey: Limits;
    readonly tagValue: Limits;
    readonly rotationPeriod: Limits;
  };
  export default facts;
}
