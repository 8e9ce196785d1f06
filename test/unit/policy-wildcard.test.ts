/**
 * IAM wildcards (src/policy/wildcard.ts): the same answers as an anchored regular expression on small inputs,
 * and bounded time on the inputs that make a backtracking matcher explode (issue 12, finding 1).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy } from '../../src/policy/document.js';
import { decide, type Principal } from '../../src/policy/evaluate.js';
import { wildcardMatch } from '../../src/policy/wildcard.js';

/** The reference: what a wildcard means, written as a regular expression (fine on tiny inputs). */
function reference(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

describe('wildcard matching', () => {
  const cases: [string, string, boolean, boolean][] = [
    ['*', '', false, true],
    ['', '', false, true],
    ['', 'a', false, false],
    ['kms:*', 'kms:Encrypt', false, true],
    ['KMS:enc*', 'kms:Encrypt', true, true],
    ['KMS:enc*', 'kms:Encrypt', false, false],
    ['kms:Encryp?', 'kms:Encrypt', false, true],
    ['kms:Encryp?', 'kms:Encryp', false, false],
    ['a*b*c', 'abc', false, true],
    ['a*b*c', 'aXbYc', false, true],
    ['a*b*c', 'acb', false, false],
    ['*ab', 'aab', false, true],
    ['ab*', 'a', false, false],
    ['a*a', 'a', false, false],
    ['*?*', '', false, false],
    ['a.c', 'abc', false, false],
    ['(x)', '(x)', false, true],
    ['*\n*', 'line\nbreak', false, true],
  ];
  for (const [pattern, value, ignoreCase, expected] of cases) {
    test(`${JSON.stringify(pattern)} ~ ${JSON.stringify(value)}${ignoreCase ? ' (any case)' : ''}`, () => {
      assert.equal(wildcardMatch(pattern, value, ignoreCase), expected);
    });
  }

  test('agrees with the regular expression on every small pattern and value', () => {
    const alphabet = ['a', 'b', 'A', '*', '?'];
    const words = (n: number): string[] => (n === 0 ? [''] : words(n - 1).flatMap((w) => alphabet.map((c) => w + c)));
    const patterns = [0, 1, 2, 3, 4].flatMap(words);
    const values = [0, 1, 2, 3, 4].flatMap(words).filter((v) => !/[*?]/.test(v));
    for (const pattern of patterns) {
      for (const ignoreCase of [false, true]) {
        const re = reference(pattern, ignoreCase);
        for (const value of values) {
          assert.equal(wildcardMatch(pattern, value, ignoreCase), re.test(value), `${pattern} ~ ${value} ${ignoreCase}`);
        }
      }
    }
  });

  test('agrees with the regular expression on random long patterns (`?` runs across 32-character words)', () => {
    let seed = 12;
    const random = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 2_000; i++) {
      const pattern = Array.from({ length: 1 + random(3) }, () => pick('ab???', random(70))).join('*');
      const value = pick('ab', random(160));
      assert.equal(wildcardMatch(pattern, value, false), reference(pattern, false).test(value), `${pattern} ~ ${value}`);
    }
  });
});

describe('adversarial patterns take bounded time', () => {
  function elapsedMs(f: () => void): number {
    const start = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - start) / 1e6;
  }

  // A regex engine backtracks through each of these at length: 150 a's against `*a*a*a*a*a*b` froze a worker
  // for 30 s. The trailing stars make every middle segment be searched for through the whole value.
  const attacks: [string, string][] = [
    ['*a*a*a*a*a*b', 'a'.repeat(150)],
    [`${'*a'.repeat(200)}*b*`, 'a'.repeat(100_000)],
    [`*${'a?'.repeat(50)}b*`, 'a'.repeat(100_000)],
    [`${'?'.repeat(100)}*b*`, 'a'.repeat(100_000)],
    [`*${'a'.repeat(1_000)}b*`, 'a'.repeat(1_000_000)],
    [`*${'A'.repeat(1_000)}B*`, 'a'.repeat(1_000_000)],
  ];
  for (const [pattern, value] of attacks) {
    test(`${pattern.slice(0, 24)}… over ${value.length} characters, both cases`, () => {
      for (const ignoreCase of [false, true]) {
        let matched = true;
        const ms = elapsedMs(() => { matched = wildcardMatch(pattern, value, ignoreCase); });
        assert.equal(matched, false);
        assert.ok(ms < 250, `${ms.toFixed(1)} ms`);
      }
    });
  }

  test('through the evaluator: StringLike and ArnLike on a long encryption context value', () => {
    const alice: Principal = { arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', partition: 'aws' };
    const doc = parsePolicy(JSON.stringify({
      Statement: [{
        Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:Encrypt', Resource: '*',
        Condition: {
          StringLike: { 'kms:EncryptionContext:x': '*a*a*a*a*a*a*a*a*a*a*b' },
          ArnLike: { 'kms:EncryptionContext:y': '*a*a*a*a*a*a*a*a*a*a*b' },
        },
      }],
    }));
    const long = 'a'.repeat(10_000);
    const ms = elapsedMs(() => assert.equal(decide(doc, {
      principal: alice, action: 'kms:Encrypt', resource: 'arn:aws:kms:us-west-2:111122223333:key/k',
      conditions: (key) => (key.startsWith('kms:encryptioncontext:') ? [long] : undefined),
    }), 'implicitDeny'));
    assert.ok(ms < 250, `${ms.toFixed(1)} ms`);
  });
});
