/**
 * The transient key states of multi-Region keys, held still: handlers called in process on a real store with no
 * scheduler running, so a replica stays Creating and a primary Region change stays Updating until the test
 * runs the due work itself (the end-to-end suites see these states only for a scheduler pass).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import { KmsError } from '../../src/model/errors.js';
import type { KeyState, OperationName } from '../../src/model/types.gen.js';
import type { Deps, OpContext } from '../../src/ops/context.js';
import { encrypt } from '../../src/ops/crypto/encrypt.js';
import { checkKeyState } from '../../src/ops/key-state.js';
import { createKey } from '../../src/ops/keys/create-key.js';
import { describeKey } from '../../src/ops/keys/describe-key.js';
import { disableKey } from '../../src/ops/keys/disable-key.js';
import { enableKey } from '../../src/ops/keys/enable-key.js';
import { scheduleKeyDeletion } from '../../src/ops/keys/schedule-key-deletion.js';
import { updateKeyDescription } from '../../src/ops/keys/update-key-description.js';
import { runDueWork } from '../../src/ops/lifecycle.js';
import { MaterialPool } from '../../src/ops/material-pool.js';
import { replicateKey } from '../../src/ops/multi-region/replicate-key.js';
import { updatePrimaryRegion } from '../../src/ops/multi-region/update-primary-region.js';
import { RequestRates } from '../../src/ops/quotas/request-rates.js';
import { DEFAULT_QUOTAS } from '../../src/ops/quotas/settings.js';
import { rotateKeyOnDemand } from '../../src/ops/rotation/rotate-key-on-demand.js';
import { tagResource } from '../../src/ops/tags/tag-resource.js';
import { UsageTracker } from '../../src/ops/usage/tracker.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { Clock } from '../../src/util/clock.js';
import { testContext, testIdentities } from '../support/op-context.js';
import { XksClient } from '../../src/xks/client.js';
import { Pkcs11Tokens } from '../../src/pkcs11/tokens.js';

const ACCOUNT = '111122223333';
const arnIn = (region: string, keyId: string) => `arn:aws:kms:${region}:${ACCOUNT}:key/${keyId}`;

/** What the key-state table answers for `op` on a key in `state`, as the error a handler must throw. */
function refusal(op: OperationName, state: KeyState, arn: string): { name: string; message: string } {
  try {
    checkKeyState(op, state, arn, 'AWS_KMS');
  } catch (e) {
    if (e instanceof KmsError) return { name: e.type, message: e.message };
    throw e;
  }
  assert.fail(`the table lets ${op} act on a ${state} key`);
}

describe('Creating and Updating, held still', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-mrk-'));
  let store: SqliteStore;
  let deps: Deps;
  const ctxIn = (region: string): OpContext => testContext(deps, {
    caller: { accountId: ACCOUNT, region, accessKeyId: 'test', principalArn: `arn:aws:iam::${ACCOUNT}:root` },
    now: deps.clock.now(),
  });
  const stateIn = async (region: string, keyId: string) => (await describeKey({ KeyId: keyId }, ctxIn(region))).KeyMetadata!.KeyState;
  /** One scheduler pass over every due key, as server/scheduler.ts makes it. */
  const schedulerPass = async () => {
    for (const key of await store.keysDue(deps.clock.now(), 100)) await runDueWork(deps, key, deps.clock.now());
  };

  before(() => {
    store = new SqliteStore(join(dir, 'trent.db'));
    const root = new RootKey(randomBytes(32));
    deps = {
      store, root, clock: new Clock(), settings: { posture: 'dev', sm2Everywhere: false, enforceKeyPolicies: false },
      usage: new UsageTracker(store), pool: new MaterialPool(store, root, {}), quotas: DEFAULT_QUOTAS,
      rates: new RequestRates(DEFAULT_QUOTAS.rates, 1), identities: testIdentities(),
      // No key here is in a custom key store: neither is ever called.
      xks: new XksClient({ caFile: undefined, resolve: new Map(), timeoutMs: 250 }), hsm: new Pkcs11Tokens(new Map()),
    };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a replica is Creating until the scheduler passes: managed, not used, then Enabled', async () => {
    const { KeyMetadata: primary } = await createKey({ MultiRegion: true }, ctxIn('us-east-1'));
    const keyId = primary!.KeyId!;
    const made = await replicateKey({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }, ctxIn('us-east-1'));
    assert.equal(made.ReplicaKeyMetadata!.KeyState, 'Creating');
    const west = () => ctxIn('eu-west-1');
    const arn = arnIn('eu-west-1', keyId);
    for (const [op, call] of [
      ['Encrypt', () => encrypt({ KeyId: keyId, Plaintext: Buffer.from('p') }, west())],
      ['EnableKey', () => enableKey({ KeyId: keyId }, west())],
      ['DisableKey', () => disableKey({ KeyId: keyId }, west())],
    ] as const) {
      await assert.rejects(call(), refusal(op, 'Creating', arn), op);
    }
    // Management that does not change the state goes on while Creating (the table's ✓).
    await tagResource({ KeyId: keyId, Tags: [{ TagKey: 'while', TagValue: 'creating' }] }, west());
    await updateKeyDescription({ KeyId: keyId, Description: 'described while creating' }, west());
    // The primary rotates meanwhile: the replica being made gets the new material too.
    await rotateKeyOnDemand({ KeyId: keyId }, ctxIn('us-east-1'));
    assert.equal(await stateIn('eu-west-1', keyId), 'Creating');

    await schedulerPass();
    const replica = (await describeKey({ KeyId: keyId }, west())).KeyMetadata!;
    assert.equal(replica.KeyState, 'Enabled');
    assert.equal(replica.Description, 'described while creating');
    assert.equal(replica.CurrentKeyMaterialId, (await describeKey({ KeyId: keyId }, ctxIn('us-east-1'))).KeyMetadata!.CurrentKeyMaterialId);
    await encrypt({ KeyId: keyId, Plaintext: Buffer.from('p') }, west());
  });

  test('UpdatePrimaryRegion leaves both keys Updating: used, not enabled, disabled, deleted or replicated, until the scheduler passes', async () => {
    const { KeyMetadata: primary } = await createKey({ MultiRegion: true }, ctxIn('us-east-1'));
    const keyId = primary!.KeyId!;
    await replicateKey({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }, ctxIn('us-east-1'));
    await replicateKey({ KeyId: keyId, ReplicaRegion: 'ap-south-1' }, ctxIn('us-east-1'));
    await schedulerPass();
    await updatePrimaryRegion({ KeyId: keyId, PrimaryRegion: 'eu-west-1' }, ctxIn('us-east-1'));
    assert.deepEqual(await Promise.all(['us-east-1', 'eu-west-1', 'ap-south-1'].map((r) => stateIn(r, keyId))),
      ['Updating', 'Updating', 'Enabled']);
    for (const region of ['us-east-1', 'eu-west-1']) {
      const arn = arnIn(region, keyId);
      await encrypt({ KeyId: keyId, Plaintext: Buffer.from('p') }, ctxIn(region));
      await assert.rejects(enableKey({ KeyId: keyId }, ctxIn(region)), refusal('EnableKey', 'Updating', arn));
      await assert.rejects(disableKey({ KeyId: keyId }, ctxIn(region)), refusal('DisableKey', 'Updating', arn));
      await assert.rejects(scheduleKeyDeletion({ KeyId: keyId }, ctxIn(region)), refusal('ScheduleKeyDeletion', 'Updating', arn));
    }
    await assert.rejects(replicateKey({ KeyId: keyId, ReplicaRegion: 'sa-east-1' }, ctxIn('eu-west-1')),
      refusal('ReplicateKey', 'Updating', arnIn('eu-west-1', keyId)));
    // The new primary may move the primary Region on while Updating (the table's ✓ for UpdatePrimaryRegion).
    await updatePrimaryRegion({ KeyId: keyId, PrimaryRegion: 'ap-south-1' }, ctxIn('eu-west-1'));
    assert.deepEqual(await Promise.all(['us-east-1', 'eu-west-1', 'ap-south-1'].map((r) => stateIn(r, keyId))),
      ['Updating', 'Updating', 'Updating']);

    await schedulerPass();
    assert.deepEqual(await Promise.all(['us-east-1', 'eu-west-1', 'ap-south-1'].map((r) => stateIn(r, keyId))),
      ['Enabled', 'Enabled', 'Enabled']);
    const config = (await describeKey({ KeyId: keyId }, ctxIn('us-east-1'))).KeyMetadata!.MultiRegionConfiguration!;
    assert.equal(config.PrimaryKey!.Region, 'ap-south-1');
    assert.deepEqual(config.ReplicaKeys!.map((k) => k.Region), ['eu-west-1', 'us-east-1']);
  });
});
