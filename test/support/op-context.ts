import type { Deps, OpContext } from '../../src/ops/context.js';

/**
 * An operation's context for tests that call handlers or the ops layer in process: a request of the account
 * root of 111122223333 in us-west-2, at time 0, writing through `deps.store`; `deps` holds only what the test
 * needs, and `overrides` replace any member.
 */
export function testContext(deps: Partial<Deps>, overrides: Partial<OpContext> = {}): OpContext {
  const all = deps as Deps;
  return {
    caller: { accountId: '111122223333', region: 'us-west-2', accessKeyId: 'test', principalArn: 'arn:aws:iam::111122223333:root' },
    operation: 'DescribeKey', requestId: 'r', now: new Date(0), input: {}, sourceIp: undefined, secureTransport: false,
    keysUsed: [], keysReached: [], ratesCharged: [], externalCalls: [],
    transaction: (fn) => all.store.transaction(fn),
    deps: all,
    ...overrides,
  };
}
