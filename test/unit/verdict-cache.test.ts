/**
 * The cache of condition-free verdicts (src/policy/verdict-cache.ts): a question is kept only when none of its
 * policies has a condition, and every part that can change a verdict (each policy, the caller by every name,
 * the action, the resource and its account) tells two questions apart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideAccess } from '../../src/policy/access.js';
import { parseIdentityPolicy, parsePolicy } from '../../src/policy/document.js';
import type { Principal } from '../../src/policy/evaluate.js';
import { VerdictCache, type PlainQuestion } from '../../src/policy/verdict-cache.js';

const A = '111122223333';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const alice: Principal = { arn: `arn:aws:iam::${A}:user/alice`, identityArn: `arn:aws:iam::${A}:user/alice`, accountId: A, partition: 'aws' };

const policy = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const delegating = parsePolicy(policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' }));
const allowsEncrypt = parseIdentityPolicy(policy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }));
const allowsAll = parseIdentityPolicy(policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }));
const secureOnly = { Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
const conditional = parseIdentityPolicy(policy(secureOnly));
const conditionalKeyPolicy = parsePolicy(policy({ ...secureOnly, Principal: { AWS: `arn:aws:iam::${A}:root` } }));

const question: PlainQuestion = {
  principal: alice, action: 'kms:Encrypt', resource: KEY, resourceAccountId: A, resourcePolicy: delegating, identityPolicies: [allowsEncrypt],
};

describe('VerdictCache', () => {
  test('keeps the verdict of a question whose policies have no condition', () => {
    const cache = new VerdictCache();
    const key = cache.keyOf(question);
    assert.ok(key !== undefined);
    assert.equal(cache.get(key), undefined);
    const verdict = decideAccess({ ...question, conditions: () => undefined });
    cache.set(key, verdict);
    assert.equal(cache.get(cache.keyOf({ ...question })!), verdict);
  });

  test('a condition in any policy, key or identity, keeps the question out', () => {
    const cache = new VerdictCache();
    assert.equal(cache.keyOf({ ...question, identityPolicies: [allowsEncrypt, conditional] }), undefined);
    assert.equal(cache.keyOf({ ...question, resourcePolicy: conditionalKeyPolicy }), undefined);
  });

  test('every part that can change the verdict tells questions apart', () => {
    const cache = new VerdictCache();
    const base = cache.keyOf(question)!;
    const variants: PlainQuestion[] = [
      { ...question, action: 'kms:Decrypt' },
      { ...question, resource: KEY.replace('1234abcd', '9999abcd') },
      { ...question, resourceAccountId: '444455556666' },
      { ...question, resourcePolicy: null },
      // A policy changed is parsed anew: another document, even with the same text.
      { ...question, resourcePolicy: parsePolicy(policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'kms:*', Resource: '*' })) },
      { ...question, identityPolicies: [allowsAll] },
      { ...question, identityPolicies: [] },
      { ...question, identityPolicies: [allowsEncrypt, allowsAll] },
      { ...question, principal: { ...alice, arn: `arn:aws:iam::${A}:user/bob`, identityArn: `arn:aws:iam::${A}:user/bob` } },
      { ...question, principal: { ...alice, identityArn: `arn:aws:iam::${A}:role/app` } },
      { ...question, principal: { ...alice, partition: 'aws-cn' } },
      { ...question, principal: { ...alice, accountId: '444455556666' } },
      // The root has no identity: not the same as any identity, even an empty one.
      { ...question, principal: { ...alice, identityArn: undefined } },
      { ...question, principal: { ...alice, identityArn: '' } },
      // A part running into the next would make these two one question.
      { ...question, principal: { ...alice, arn: `${alice.arn}\n${alice.identityArn}`, identityArn: '' } },
    ];
    const keys = variants.map((v) => cache.keyOf(v));
    for (const key of keys) assert.ok(key !== undefined && key !== base);
    assert.equal(new Set(keys).size, keys.length);
  });

  test('a kept verdict is the verdict a fresh evaluation gives', () => {
    const cache = new VerdictCache();
    const questions: PlainQuestion[] = [question, { ...question, action: 'kms:Decrypt' }, { ...question, identityPolicies: [] },
      { ...question, principal: { ...alice, identityArn: undefined, arn: `arn:aws:iam::${A}:root` } }];
    for (const q of questions) cache.set(cache.keyOf(q)!, decideAccess({ ...q, conditions: () => undefined }));
    for (const q of questions) assert.deepEqual(cache.get(cache.keyOf(q)!), decideAccess({ ...q, conditions: () => undefined }));
    assert.ok(Object.isFrozen(cache.get(cache.keyOf(question)!)));
  });

  test('a full cache starts again rather than growing', () => {
    const cache = new VerdictCache(2);
    const verdict = decideAccess({ ...question, conditions: () => undefined });
    const keys = ['kms:Encrypt', 'kms:Decrypt', 'kms:Sign'].map((action) => cache.keyOf({ ...question, action })!);
    for (const key of keys) cache.set(key, verdict);
    assert.equal(cache.get(keys[0]!), undefined);
    assert.equal(cache.get(keys[2]!), verdict);
  });
});
