/**
 * The key-state table (src/ops/key-state.ts) against kms-facts.md §1.6, written out here independently:
 * every operation of the model × all 8 key states, through checkKeyState.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KmsError } from '../../src/model/errors.js';
import { OPERATIONS } from '../../src/model/shapes.gen.js';
import type { KeyState, OperationName } from '../../src/model/types.gen.js';
import { KEY_STATE_TABLE, checkKeyState } from '../../src/ops/key-state.js';
import { throws } from '../support/kms.js';

const STATES: readonly KeyState[] = [
  'Enabled', 'Disabled', 'PendingDeletion', 'PendingReplicaDeletion', 'PendingImport', 'Unavailable', 'Creating', 'Updating',
];
const ARN = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ORIGIN = 'AWS_CLOUDHSM';

/** §1.6's outcomes, one letter per state in STATES order; `.` succeeds (✓, ? and N/A: the operation decides). */
const OUTCOMES: Readonly<Record<string, readonly [string, string]>> = {
  D: ['DisabledException', `${ARN} is disabled.`], // [1]
  P: ['KMSInvalidStateException', `${ARN} is pending deletion.`], // [3] (and [2]: AWS answers KMSInvalidStateException)
  R: ['KMSInvalidStateException', `${ARN} is pending replica deletion.`], // [3], replica wording
  N: ['KMSInvalidStateException', `${ARN} is not pending deletion.`], // [4]
  I: ['KMSInvalidStateException', `${ARN} is pending import.`], // [5]
  E: ['UnsupportedOperationException', `${ARN} origin is EXTERNAL which is not valid for this operation.`], // [6]
  K: ['UnsupportedOperationException', `${ARN} origin is ${ORIGIN} which is not valid for this operation.`], // [7], [9]
  U: ['KMSInvalidStateException', `${ARN} is unavailable.`], // [11]
  C: ['KMSInvalidStateException', `${ARN} is creating.`], // [14]
  W: ['KMSInvalidStateException', `${ARN} is updating.`], // [15]
};

//                                            Enabled Disabled PendingDeletion PendingReplicaDeletion PendingImport Unavailable Creating Updating
const EXPECTED: Readonly<Partial<Record<OperationName, string>>> = {
  CancelKeyDeletion: 'NN..NNNN',
  CreateAlias: '..PR....',
  CreateGrant: '.DPRI.C.',
  Decrypt: '.DPRIUC.',
  DeleteAlias: '........',
  DeleteImportedKeyMaterial: '......CW',
  DescribeKey: '........',
  DisableKey: '..PRI.CW',
  DisableKeyRotation: '.DPREKC.',
  EnableKey: '..PRI.CW',
  EnableKeyRotation: '.DPREKC.',
  Encrypt: '.DPRIUC.',
  GenerateDataKey: '.DPRIUC.',
  GenerateDataKeyPair: '.DPRIUC.',
  GenerateDataKeyPairWithoutPlaintext: '.DPRIUC.',
  GenerateDataKeyWithoutPlaintext: '.DPRIUC.',
  GenerateMac: '.DPRIUC.',
  GetKeyPolicy: '........',
  GetKeyRotationStatus: '....EK..',
  GetParametersForImport: '..PR.KCW',
  GetPublicKey: '.DPRIUC.',
  ImportKeyMaterial: '..PR.KC.',
  ListAliases: '........',
  ListGrants: '........',
  ListKeyPolicies: '........',
  ListResourceTags: '........',
  PutKeyPolicy: '........',
  ReEncrypt: '.DPRIUC.',
  ReplicateKey: '.DPRI.CW',
  RetireGrant: '........',
  RevokeGrant: '........',
  ScheduleKeyDeletion: '..PR...W',
  Sign: '.DPRIUC.',
  TagResource: '..PR....',
  UntagResource: '..PR....',
  UpdateAlias: '..PR....', // [10]: the new target key's state
  UpdateKeyDescription: '..PR....',
  UpdatePrimaryRegion: '.DPRI.C.',
  Verify: '.DPRIUC.',
  VerifyMac: '.DPRIUC.',
  // Not in the 2023 table §1.6 cites; Trent's choices, by analogy: rotation listing as GetKeyRotationStatus,
  // the rest as their kin.
  DeriveSharedSecret: '.DPRIUC.',
  GetKeyLastUsage: '........',
  ListKeyRotations: '........', // [6] is the operation's own check now (symmetric imported keys list their material)
  RotateKeyOnDemand: '.DPRIKC.', // newer than §1.6: recorded, pending import before the origin
};

/** Operations that act on no existing key (or on a custom key store, a grant token or the account). */
const NO_ROW: readonly OperationName[] = [
  'ConnectCustomKeyStore', 'CreateCustomKeyStore', 'CreateKey', 'DeleteCustomKeyStore', 'DescribeCustomKeyStores',
  'DisconnectCustomKeyStore', 'GenerateRandom', 'ListKeys', 'ListRetirableGrants', 'UpdateCustomKeyStore',
];

describe('key-state table (kms-facts.md §1.6)', () => {
  test('every operation of the model is either in the table or acts on no key', () => {
    const all = Object.keys(OPERATIONS).sort();
    assert.deepEqual([...Object.keys(EXPECTED), ...NO_ROW].sort(), all);
    assert.deepEqual(Object.keys(KEY_STATE_TABLE).sort(), Object.keys(EXPECTED).sort());
  });

  for (const [op, row] of Object.entries(EXPECTED) as Array<[OperationName, string]>) {
    STATES.forEach((state, i) => {
      const outcome = row[i]!;
      test(`${op} × ${state}: ${outcome === '.' ? 'proceeds' : OUTCOMES[outcome]![0]}`, () => {
        if (outcome === '.') {
          assert.doesNotThrow(() => checkKeyState(op, state, ARN, ORIGIN));
          return;
        }
        const [type, message] = OUTCOMES[outcome]!;
        throws(() => checkKeyState(op, state, ARN, ORIGIN), type, message);
      });
    });
  }

  for (const op of NO_ROW) {
    test(`${op} has no row: asking is a programming error, not an AWS answer`, () => {
      assert.throws(() => checkKeyState(op, 'Enabled', ARN), (e: unknown) => !(e instanceof KmsError));
    });
  }
});
