import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { grantPermits, grantWithin, type GrantTerms } from '../../src/policy/grants.js';

const subset = (c: Record<string, string>): GrantTerms => ({ operations: ['Decrypt', 'CreateGrant'], constraints: { encryptionContextSubset: c } });
const equals = (c: Record<string, string>): GrantTerms => ({ operations: ['Decrypt', 'CreateGrant'], constraints: { encryptionContextEquals: c } });

describe('grant evaluation (policy/grants.ts)', () => {
  test('only the granted operations', () => {
    const grant: GrantTerms = { operations: ['Encrypt'] };
    assert.equal(grantPermits(grant, 'Encrypt', undefined), true);
    assert.equal(grantPermits(grant, 'Decrypt', undefined), false);
  });

  // [request context, subset constraint's verdict, equals constraint's verdict] for the constraint {dept: "a"}
  const ROWS: ReadonlyArray<[Record<string, string> | undefined, boolean, boolean]> = [
    [{ dept: 'a' }, true, true],
    [{ DEPT: 'a' }, true, true], // the key matches without case
    [{ dept: 'A' }, false, false], // the value with case
    [{ dept: 'a', team: 'b' }, true, false],
    [{ team: 'b' }, false, false],
    [{}, false, false],
    [undefined, false, false],
    [{ dept: 'a', DEPT: 'x' }, false, false], // every spelling of the key must carry the value
    [{ dept: 'a', Dept: 'a' }, true, true],
  ];
  for (const [context, bySubset, byEquals] of ROWS) {
    test(`constraint {dept: a} against ${JSON.stringify(context)}: subset ${bySubset}, equals ${byEquals}`, () => {
      assert.equal(grantPermits(subset({ dept: 'a' }), 'Decrypt', context), bySubset);
      assert.equal(grantPermits(equals({ dept: 'a' }), 'Decrypt', context), byEquals);
    });
  }

  test('constraints are not applied where the operation takes no encryption context', () => {
    assert.equal(grantPermits(equals({ dept: 'a' }), 'Decrypt', 'not-applicable'), true);
  });

  test('a grant made under a grant gives no more operations, under constraints at least as strict', () => {
    const parent = subset({ dept: 'a' });
    assert.equal(grantWithin({ operations: ['Decrypt'], constraints: { encryptionContextSubset: { dept: 'a', team: 'b' } } }, parent), true);
    assert.equal(grantWithin({ operations: ['Decrypt'], constraints: { encryptionContextEquals: { DEPT: 'a' } } }, parent), true);
    assert.equal(grantWithin({ operations: ['Decrypt'] }, parent), false);
    assert.equal(grantWithin({ operations: ['Decrypt'], constraints: { encryptionContextSubset: { team: 'b' } } }, parent), false);
    assert.equal(grantWithin({ operations: ['Encrypt'], constraints: parent.constraints }, parent), false);
    assert.equal(grantWithin({ operations: ['Decrypt'], constraints: { encryptionContextSubset: { dept: 'a' } } }, equals({ dept: 'a' })), false);
    assert.equal(grantWithin({ operations: ['Decrypt'] }, { operations: ['Decrypt', 'Encrypt'] }), true);
  });
});
