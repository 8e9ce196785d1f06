import type { Deps, Identities, OpContext } from '../../src/ops/context.js';

/**
 * IAM identities for in-process tests: `policies` maps a user's or role's ARN to its inline policy documents;
 * every ARN with policies exists, as do account roots.
 */
export function testIdentities(policies: Readonly<Record<string, readonly string[]>> = {}): Identities {
  return {
    policiesOf: async (identityArn) => policies[identityArn] ?? [],
    exists: async (principalArn) => principalArn.endsWith(':root') || Object.hasOwn(policies, principalArn),
  };
}

/**
 * An operation's context for tests that call handlers or the ops layer in process: a request of the account
 * root of 111122223333 in us-west-2, at time 0, writing through `deps.store`; `deps` holds only what the test
 * needs (and IAM identities with no policies unless it gives some), and `overrides` replace any member.
 */
export function testContext(deps: Partial<Deps>, overrides: Partial<OpContext> = {}): OpContext {
  const all = { identities: testIdentities(), ...deps } as Deps;
  return {
    caller: { accountId: '111122223333', region: 'us-west-2', accessKeyId: 'test', principalArn: 'arn:aws:iam::111122223333:root' },
    operation: 'DescribeKey', requestId: 'r', now: new Date(0), input: {}, sourceIp: undefined, secureTransport: false,
    keysUsed: [], keysReached: [], ratesCharged: [], externalCalls: [],
    transaction: (fn) => all.store.transaction(fn),
    deps: all,
    ...overrides,
  };
}
