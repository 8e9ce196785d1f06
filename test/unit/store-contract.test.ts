import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Deps } from '../../src/ops/context.js';
import { Scheduler } from '../../src/server/scheduler.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { MIGRATIONS } from '../../src/store/schema.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import {
  StoreConflictError, changeId, type AuditRecord, type Change, type KeyRecord, type KeyRef, type Store, type StoreOps, type TableRow,
} from '../../src/store/types.js';
import { Clock } from '../../src/util/clock.js';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres.js';

/**
 * One contract, every backend: what the operations rely on from a Store, run against SQLite and PostgreSQL.
 * A backend opens a fresh store per test; `openShared` opens another handle on the same one (another node).
 */
interface Backend {
  open(): Promise<Store>;
  /** Another store on the same database (another process/node), where the backend supports that in-process. */
  openShared?(): Store;
  cleanup(): Promise<void>;
}

const ACCOUNT = '111122223333';
const REGION = 'us-west-2';
let serial = 0;

function keyRecord(overrides: Partial<KeyRecord> = {}): KeyRecord {
  serial++;
  return {
    accountId: ACCOUNT, region: REGION, keyId: `key-${String(serial).padStart(6, '0')}`,
    createdAt: new Date(1_700_000_000_000 + serial), description: '', keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', multiRegion: false, policy: '{}',
    ...overrides,
  };
}

const material = (ref: KeyRef, materialId: string, at: number) => ({
  keyId: ref.keyId, accountId: ref.accountId, materialId, createdAt: new Date(at), wrapped: Buffer.from([1, 2, 3, at % 256]),
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return assert.fail('expected a rejection');
}

async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function collect(rows: AsyncIterable<{ table: string; row: TableRow }>): Promise<Array<{ table: string; row: TableRow }>> {
  const all = [];
  for await (const r of rows) all.push(r);
  return all;
}

async function* replay<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function contract(name: string, makeBackend: () => Promise<Backend>, skip: string | false): void {
  describe(`store contract: ${name}`, { skip }, () => {
    let backend: Backend;
    let store: Store;
    before(async () => { backend = await makeBackend(); });
    after(async () => { await backend.cleanup(); });
    const fresh = async () => { store = await backend.open(); return store; };
    const close = () => store.close();

    test('applies every migration, and opening again applies none', async () => {
      await fresh();
      assert.equal(await store.schemaVersion(), MIGRATIONS.length);
      await close();
    });

    test('keys: insert, get, update, list in byte order by pages, duplicates refused', async () => {
      await fresh();
      const ids = ['b-key', 'B-key', '_key', 'a-key', 'mrk-1'];
      for (const keyId of ids) await store.transaction((tx) => tx.insertKey(keyRecord({ keyId, description: keyId })));
      await store.transaction((tx) => tx.insertKey(keyRecord({ keyId: 'other-region', region: 'eu-west-1' })));
      const got = await store.getKey({ accountId: ACCOUNT, region: REGION, keyId: 'a-key' });
      assert.equal(got?.description, 'a-key');
      assert.ok(got.createdAt instanceof Date);
      got.description = 'changed';
      got.keyState = 'Disabled';
      await store.transaction((tx) => tx.updateKey(got));
      assert.equal((await store.getKey(got))?.keyState, 'Disabled');
      assert.equal((await store.getKey(got))?.description, 'changed');
      const first = await store.listKeys(ACCOUNT, REGION, { limit: 3 });
      const rest = await store.listKeys(ACCOUNT, REGION, { after: first.at(-1)!.keyId, limit: 10 });
      assert.deepEqual([...first, ...rest].map((k) => k.keyId), ['B-key', '_key', 'a-key', 'b-key', 'mrk-1']);
      assert.ok((await rejection(store.transaction((tx) => tx.insertKey(keyRecord({ keyId: 'a-key' }))))) instanceof StoreConflictError);
      await close();
    });

    test('deleting a key takes its tags and aliases, and its material with its last Region', async () => {
      await fresh();
      const home = keyRecord({ keyId: 'mrk-shared', multiRegion: true });
      const replica = { ...home, region: 'eu-west-1' };
      await store.transaction(async (tx) => {
        await tx.insertKey(home);
        await tx.insertKey(replica);
        await tx.insertMaterial(home, material(home, 'm1', 1));
        await tx.putTags(home, [{ tagKey: 'team', tagValue: 'a' }]);
        await tx.insertAlias({ accountId: ACCOUNT, region: REGION, aliasName: 'alias/shared', targetKeyId: home.keyId,
          createdAt: new Date(1), updatedAt: new Date(1) });
      });
      await store.transaction((tx) => tx.deleteKey(home));
      assert.equal(await store.getKey(home), undefined);
      assert.deepEqual(await store.listTags(home), []);
      assert.equal(await store.getAlias(ACCOUNT, REGION, 'alias/shared'), undefined);
      assert.ok(await store.getMaterial(replica, 'm1'), 'the replica still uses the material');
      await store.transaction((tx) => tx.deleteKey(replica));
      assert.equal(await store.getMaterial(replica, 'm1'), undefined);
      await close();
    });

    test('related keys: every Region of one key ID in the account, by Region, read or locked alike', async () => {
      await fresh();
      const primary = keyRecord({ keyId: 'mrk-related', multiRegion: true, multiRegionKeyType: 'PRIMARY', primaryRegion: REGION });
      const replicas = ['eu-west-1', 'ap-south-1'].map((region) => ({ ...primary, region, multiRegionKeyType: 'REPLICA' as const }));
      await store.transaction(async (tx) => {
        for (const k of [primary, ...replicas]) await tx.insertKey(k);
        await tx.insertKey({ ...primary, accountId: '444455556666' });
        await tx.insertKey(keyRecord({ keyId: 'mrk-other', multiRegion: true }));
      });
      const regions = ['ap-south-1', 'eu-west-1', REGION];
      assert.deepEqual((await store.listRelatedKeys(ACCOUNT, primary.keyId)).map((k) => k.region), regions);
      assert.deepEqual((await store.transaction((tx) => tx.lockRelatedKeys(ACCOUNT, primary.keyId))).map((k) => k.region), regions);
      assert.equal((await store.listRelatedKeys(ACCOUNT, primary.keyId))[0]?.multiRegionKeyType, 'REPLICA');
      assert.deepEqual(await store.listRelatedKeys(ACCOUNT, 'mrk-none'), []);
      await close();
    });

    test('materials: get, list oldest first, duplicates refused', async () => {
      await fresh();
      const key = keyRecord();
      await store.transaction((tx) => tx.insertKey(key));
      await store.transaction((tx) => tx.insertMaterial(key, material(key, 'm-b', 2_000)));
      await store.transaction((tx) => tx.insertMaterial(key, { ...material(key, 'm-a', 1_000), rotationType: 'ON_DEMAND' }));
      const got = await store.getMaterial(key, 'm-a');
      assert.deepEqual(got, { ...material(key, 'm-a', 1_000), rotationType: 'ON_DEMAND' });
      assert.deepEqual((await store.listMaterials(key)).map((m) => [m.materialId, m.rotationType]),
        [['m-a', 'ON_DEMAND'], ['m-b', undefined]]);
      assert.ok((await rejection(store.transaction((tx) => tx.insertMaterial(key, material(key, 'm-a', 3))))) instanceof StoreConflictError);
      await close();
    });

    test('imported material: listed in the key record with its dates, its bytes deleted alone, due at its expiry in any key state', async () => {
      await fresh();
      const key = keyRecord({
        origin: 'EXTERNAL', keyState: 'Disabled',
        importedMaterials: [
          { materialId: 'm-1', state: 'CURRENT', imported: true, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(3_000), rotationDate: new Date(5) },
          { materialId: 'm-2', state: 'PENDING_ROTATION', imported: false, description: 'second' },
        ],
      });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertMaterial(key, material(key, 'm-1', 1));
        await tx.insertMaterial(key, material(key, 'm-2', 2));
      });
      assert.deepEqual(await store.getKey(key), key);
      assert.deepEqual((await store.keysDue(new Date(2_999), 10)).map((k) => k.keyId).filter((id) => id === key.keyId), []);
      assert.deepEqual((await store.keysDue(new Date(3_000), 10)).map((k) => k.keyId).filter((id) => id === key.keyId), [key.keyId]);
      await store.transaction((tx) => tx.deleteMaterial(key, 'm-1'));
      await store.transaction((tx) => tx.deleteMaterial(key, 'm-1'));
      assert.equal(await store.getMaterial(key, 'm-1'), undefined);
      assert.ok(await store.getMaterial(key, 'm-2'));
      await close();
    });

    test('import parameters: read by token, purged a while after expiry, deleted with their key and by wipe', async () => {
      await fresh();
      const key = keyRecord({ origin: 'EXTERNAL', keyState: 'PendingImport' });
      const other = keyRecord({ origin: 'EXTERNAL', keyState: 'PendingImport' });
      const parameters = (ref: KeyRef, tokenId: string, validTo: number) => ({
        accountId: ref.accountId, region: ref.region, keyId: ref.keyId, tokenId, wrappingAlgorithm: 'RSAES_OAEP_SHA_256' as const,
        wrappingKeySpec: 'RSA_2048' as const, validTo: new Date(validTo), wrapped: Buffer.from([9, 8, 7]),
      });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertKey(other);
        await tx.insertImportParameters(parameters(key, 't-old', 1_000), new Date(0));
        await tx.insertImportParameters(parameters(key, 't-key', 10_000), new Date(0));
        await tx.insertImportParameters(parameters(other, 't-other', 10_000), new Date(0));
      });
      assert.deepEqual(await store.transaction((tx) => tx.getImportParameters('t-key')), parameters(key, 't-key', 10_000));
      assert.equal(await store.transaction((tx) => tx.getImportParameters('t-none')), undefined);
      // Inserting purges those expired before the given moment, and only those.
      await store.transaction((tx) => tx.insertImportParameters(parameters(key, 't-new', 20_000), new Date(5_000)));
      assert.equal(await store.transaction((tx) => tx.getImportParameters('t-old')), undefined);
      assert.ok(await store.transaction((tx) => tx.getImportParameters('t-key')));
      await store.transaction((tx) => tx.deleteKey(key));
      assert.equal(await store.transaction((tx) => tx.getImportParameters('t-key')), undefined);
      assert.ok(await store.transaction((tx) => tx.getImportParameters('t-other')));
      await store.transaction((tx) => tx.wipe());
      assert.equal(await store.transaction((tx) => tx.getImportParameters('t-other')), undefined);
      await close();
    });

    test('tags: put replaces values, delete removes, listed by key', async () => {
      await fresh();
      const key = keyRecord();
      await store.transaction((tx) => tx.insertKey(key));
      await store.transaction((tx) => tx.putTags(key, [{ tagKey: 'b', tagValue: '1' }, { tagKey: 'a', tagValue: '2' }]));
      await store.transaction((tx) => tx.putTags(key, [{ tagKey: 'b', tagValue: '3' }]));
      assert.deepEqual(await store.listTags(key), [{ tagKey: 'a', tagValue: '2' }, { tagKey: 'b', tagValue: '3' }]);
      await store.transaction((tx) => tx.deleteTags(key, ['a', 'missing']));
      assert.deepEqual(await store.listTags(key), [{ tagKey: 'b', tagValue: '3' }]);
      // A key given twice in one put keeps its last value.
      await store.transaction((tx) => tx.putTags(key, [{ tagKey: 'c', tagValue: '1' }, { tagKey: 'c', tagValue: '2' }]));
      assert.deepEqual(await store.listTags(key), [{ tagKey: 'b', tagValue: '3' }, { tagKey: 'c', tagValue: '2' }]);
      await store.transaction((tx) => tx.deleteTags(key, ['b', 'c']));
      assert.deepEqual(await store.listTags(key), []);
      await close();
    });

    test('grants: listed by grant ID with filters and pages, counted, by retiring principal, deleted, and with their key', async () => {
      await fresh();
      const key = keyRecord();
      const other = keyRecord();
      const grant = (ref: KeyRef, grantId: string, grantee: string, retiring?: string) => ({
        ...ref, grantId, createdAt: new Date(1_700_000_000_000), granteePrincipal: grantee, retiringPrincipal: retiring,
        issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Encrypt' as const],
        constraints: { encryptionContextSubset: { dept: 'a' } },
      });
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.insertKey(other);
        await tx.insertGrant(grant(key, 'g2', 'bob', 'carol'));
        await tx.insertGrant(grant(key, 'g1', 'alice'));
        await tx.insertGrant(grant(key, 'g3', 'bob'));
        await tx.insertGrant(grant(other, 'g0', 'bob', 'carol'));
      });
      assert.ok(await rejection(store.transaction((tx) => tx.insertGrant(grant(key, 'g1', 'dan')))) instanceof StoreConflictError);
      const ids = (gs: Array<{ grantId: string }>) => gs.map((g) => g.grantId);
      assert.deepEqual(ids(await store.listGrants(key, {}, { limit: 10 })), ['g1', 'g2', 'g3']);
      assert.deepEqual(ids(await store.listGrants(key, {}, { after: 'g1', limit: 1 })), ['g2']);
      assert.deepEqual(ids(await store.listGrants(key, { granteePrincipals: ['bob'] }, { limit: 10 })), ['g2', 'g3']);
      assert.deepEqual(ids(await store.listGrants(key, { granteePrincipals: ['bob', 'alice'], grantId: 'g1' }, { limit: 10 })), ['g1']);
      assert.deepEqual(ids(await store.listGrants(key, { granteePrincipals: [] }, { limit: 10 })), []);
      const [g2] = await store.listGrants(key, { grantId: 'g2' }, { limit: 1 });
      assert.deepEqual(g2, grant(key, 'g2', 'bob', 'carol'));
      assert.deepEqual([await store.countGrants(key), await store.countGrants(key, 'bob')], [3, 2]);
      const elsewhere = keyRecord({ accountId: '444455556666' });
      await store.transaction(async (tx) => {
        await tx.insertKey(elsewhere);
        await tx.insertGrant(grant(elsewhere, 'g9', 'bob', 'carol'));
      });
      // Across accounts, by account, key and grant ID.
      const retirable = await store.listRetirableGrants(REGION, 'carol', { limit: 10 });
      assert.deepEqual(retirable.map((g) => [g.accountId, g.keyId, g.grantId]),
        [[ACCOUNT, key.keyId, 'g2'], [ACCOUNT, other.keyId, 'g0'], ['444455556666', elsewhere.keyId, 'g9']]);
      assert.deepEqual(ids(await store.listRetirableGrants(REGION, 'carol', { after: `${ACCOUNT} ${key.keyId} g2`, limit: 10 })), ['g0', 'g9']);
      assert.deepEqual(await store.listRetirableGrants('eu-west-1', 'carol', { limit: 10 }), []);
      assert.equal(await store.transaction((tx) => tx.deleteGrant(key, 'g3')), true);
      assert.equal(await store.transaction((tx) => tx.deleteGrant(key, 'g3')), false);
      await store.transaction((tx) => tx.deleteKey(key));
      assert.deepEqual(await store.listGrants(key, {}, { limit: 10 }), []);
      assert.deepEqual(ids(await store.listGrants(other, {}, { limit: 10 })), ['g0']);
      await close();
    });

    test('last uses: a batch keeps the latest use of each key, never goes back in time, and skips deleted keys', async () => {
      await fresh();
      const [k1, k2] = [keyRecord(), keyRecord()];
      await store.transaction(async (tx) => { await tx.insertKey(k1); await tx.insertKey(k2); });
      const use = (ref: KeyRef, at: number, requestId: string) =>
        ({ accountId: ref.accountId, region: ref.region, keyId: ref.keyId, operation: 'Encrypt' as const, usedAt: new Date(at), requestId });
      await store.putKeyLastUses([use(k1, 2_000, 'r1'), use(k2, 1_000, 'r2'), use(k1, 3_000, 'r3'), use(k1, 2_500, 'r4'),
        use(keyRecord(), 1_000, 'gone')]);
      assert.deepEqual([(await store.getKeyLastUse(k1))?.requestId, (await store.getKeyLastUse(k2))?.requestId], ['r3', 'r2']);
      await store.putKeyLastUses([use(k1, 1_000, 'older'), use(k2, 4_000, 'newer')]);
      assert.deepEqual([(await store.getKeyLastUse(k1))?.requestId, (await store.getKeyLastUse(k2))?.requestId], ['r3', 'newer']);
      assert.equal((await store.getKeyLastUse(k2))?.usedAt.getTime(), 4_000);
      await close();
    });

    test('aliases: a taken name is StoreConflictError, and the transaction goes on after catching it', async () => {
      await fresh();
      const [k1, k2] = [keyRecord(), keyRecord()];
      const alias = (aliasName: string, targetKeyId: string) =>
        ({ accountId: ACCOUNT, region: REGION, aliasName, targetKeyId, createdAt: new Date(5), updatedAt: new Date(5) });
      await store.transaction((tx) => tx.insertAlias(alias('alias/b', k1.keyId)));
      await store.transaction((tx) => tx.insertAlias(alias('alias/A', k2.keyId)));
      await store.transaction((tx) => tx.insertAlias(alias('alias/a', k1.keyId)));
      const outcome = await store.transaction(async (tx) => {
        const e = await rejection(tx.insertAlias(alias('alias/b', k2.keyId)));
        await tx.insertAlias(alias('alias/c', k2.keyId));
        return e;
      });
      assert.ok(outcome instanceof StoreConflictError);
      assert.equal((await store.getAlias(ACCOUNT, REGION, 'alias/b'))?.targetKeyId, k1.keyId);
      assert.ok(await store.getAlias(ACCOUNT, REGION, 'alias/c'), 'the write after the caught conflict committed');
      const page1 = await store.listAliases(ACCOUNT, REGION, undefined, { limit: 2 });
      const page2 = await store.listAliases(ACCOUNT, REGION, undefined, { after: page1.at(-1)!.aliasName, limit: 5 });
      assert.deepEqual([...page1, ...page2].map((a) => a.aliasName), ['alias/A', 'alias/a', 'alias/b', 'alias/c']);
      assert.deepEqual((await store.listAliases(ACCOUNT, REGION, k1.keyId, { limit: 5 })).map((a) => a.aliasName),
        ['alias/a', 'alias/b']);
      await store.transaction((tx) => tx.updateAlias({ ...alias('alias/a', k2.keyId), updatedAt: new Date(9) }));
      const moved = await store.getAlias(ACCOUNT, REGION, 'alias/a');
      assert.deepEqual([moved?.targetKeyId, moved?.createdAt.getTime(), moved?.updatedAt.getTime()], [k2.keyId, 5, 9]);
      await store.transaction((tx) => tx.deleteAlias(ACCOUNT, REGION, 'alias/a'));
      assert.equal(await store.getAlias(ACCOUNT, REGION, 'alias/a'), undefined);
      await close();
    });

    test('IAM users, roles, their inline policies, access keys by owner and status, and STS sessions', async () => {
      await fresh();
      const alice = { accountId: ACCOUNT, kind: 'user' as const, name: 'Alice', path: '/', id: 'AIDAEXAMPLEEXAMPLE1', createdAt: new Date(3) };
      const bob = { ...alice, name: 'bob', path: '/team/', id: 'AIDAEXAMPLEEXAMPLE2' };
      const app = {
        accountId: ACCOUNT, kind: 'role' as const, name: 'app', path: '/', id: 'AROAEXAMPLEEXAMPLE1', createdAt: new Date(4),
        trustPolicy: '{"Statement":[]}', description: 'd', maxSessionDuration: 7200,
      };
      await store.transaction(async (tx) => {
        await tx.insertIdentity(alice);
        await tx.insertIdentity(bob);
        await tx.insertIdentity(app);
      });
      // Names are unique whatever their case, and found whatever the case asked.
      assert.ok((await rejection(store.transaction((tx) => tx.insertIdentity({ ...alice, name: 'ALICE' })))) instanceof StoreConflictError);
      assert.deepEqual(await store.getIdentity(ACCOUNT, 'user', 'alice'), alice);
      assert.deepEqual(await store.getIdentity(ACCOUNT, 'role', 'APP'), app);
      assert.equal(await store.getIdentity(ACCOUNT, 'role', 'alice'), undefined, 'users and roles are apart');
      assert.equal(await store.getIdentity('999988887777', 'user', 'alice'), undefined, 'per account');
      const names = async (prefix: string, after?: string, limit = 10) =>
        (await store.listIdentities(ACCOUNT, 'user', prefix, { after, limit })).map((u) => u.name);
      assert.deepEqual(await names('/'), ['Alice', 'bob']);
      assert.deepEqual(await names('/team'), ['bob']);
      assert.deepEqual(await names('/', undefined, 1), ['Alice']);
      assert.deepEqual(await names('/', 'alice'), ['bob']);

      const policy = { accountId: ACCOUNT, kind: 'user' as const, ownerName: 'Alice', policyName: 'P1', document: '{"a":1}' };
      await store.transaction(async (tx) => {
        await tx.putInlinePolicy(policy);
        await tx.putInlinePolicy({ ...policy, policyName: 'p0', document: '{"b":2}' });
        await tx.putInlinePolicy({ ...policy, policyName: 'p1', document: '{"a":2}' }); // replaces P1, whatever the case
      });
      assert.deepEqual((await store.listInlinePolicies(ACCOUNT, 'user', 'alice', { limit: 10 })).map((p) => [p.policyName, p.document]),
        [['p0', '{"b":2}'], ['p1', '{"a":2}']]);
      assert.equal((await store.getInlinePolicy(ACCOUNT, 'user', 'ALICE', 'P0'))?.document, '{"b":2}');
      assert.equal(await store.getInlinePolicy(ACCOUNT, 'role', 'Alice', 'p0'), undefined);
      assert.equal(await store.transaction((tx) => tx.deleteInlinePolicy(ACCOUNT, 'user', 'alice', 'P0')), true);
      assert.equal(await store.transaction((tx) => tx.deleteInlinePolicy(ACCOUNT, 'user', 'alice', 'P0')), false);

      const key = { accessKeyId: 'AKIAALICE', wrappedSecret: Buffer.from('w'), accountId: ACCOUNT, userName: 'Alice', status: 'Active' as const, createdAt: new Date(5) };
      const rootKey = { ...key, accessKeyId: 'AKIAROOT', userName: undefined };
      await store.insertAccessKey(key);
      await store.insertAccessKey(rootKey);
      assert.deepEqual(await store.listAccessKeysOf(ACCOUNT, 'Alice'), [key]);
      assert.deepEqual(await store.listAccessKeysOf(ACCOUNT, undefined), [rootKey]);
      assert.equal(await store.transaction((tx) => tx.updateAccessKeyStatus('AKIAALICE', 'Inactive')), true);
      assert.equal((await store.getAccessKey('AKIAALICE'))?.status, 'Inactive');
      assert.equal(await store.transaction((tx) => tx.updateAccessKeyStatus('AKIANONE', 'Inactive')), false);

      const session = {
        accessKeyId: 'ASIAEXAMPLE', accountId: ACCOUNT, wrappedSecret: Buffer.from('s'), tokenHash: 'ab'.repeat(32), roleName: 'app',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, roleId: app.id, sessionName: 's1', createdAt: new Date(6), expiresAt: new Date(3_600_006),
      };
      await store.transaction((tx) => tx.insertSession(session));
      assert.deepEqual(await store.getSession('ASIAEXAMPLE'), session);
      assert.equal(await store.getSession('ASIANONE'), undefined);

      assert.equal(await store.transaction((tx) => tx.deleteIdentity(ACCOUNT, 'user', 'BOB')), true);
      assert.equal(await store.transaction((tx) => tx.deleteIdentity(ACCOUNT, 'user', 'bob')), false);
      // Identities survive the dev posture's reset, as access keys do: they are who may call.
      await store.transaction((tx) => tx.wipe());
      assert.ok(await store.getIdentity(ACCOUNT, 'user', 'alice'));
      await close();
    });

    test('access keys and settings', async () => {
      await fresh();
      const ak = { accessKeyId: 'AKIAEXAMPLE', wrappedSecret: Buffer.from('w'), accountId: ACCOUNT, userName: 'u', status: 'Active' as const, createdAt: new Date(7) };
      await store.insertAccessKey(ak);
      assert.deepEqual(await store.getAccessKey(ak.accessKeyId), ak);
      assert.ok((await rejection(store.insertAccessKey(ak))) instanceof StoreConflictError);
      assert.deepEqual(await store.listAccessKeys(), [ak]);
      assert.equal(await store.deleteAccessKey(ak.accessKeyId), true);
      assert.equal(await store.deleteAccessKey(ak.accessKeyId), false);
      assert.equal(await store.getSetting('s'), undefined);
      await store.transaction((tx) => tx.putSetting('s', '1'));
      await store.transaction((tx) => tx.putSetting('s', '2'));
      assert.equal(await store.getSetting('s'), '2');
      await close();
    });

    test('keysDue: pending deletions and rotations whose time has come, soonest first', async () => {
      await fresh();
      const gone = keyRecord({ keyState: 'PendingDeletion', deletionDate: new Date(2_000) });
      const rotating = keyRecord({ nextRotationDate: new Date(1_000) });
      await store.transaction((tx) => tx.insertKey(gone));
      await store.transaction((tx) => tx.insertKey(rotating));
      await store.transaction((tx) => tx.insertKey(keyRecord({ keyState: 'PendingDeletion', deletionDate: new Date(9_000) })));
      await store.transaction((tx) => tx.insertKey(keyRecord()));
      assert.deepEqual((await store.keysDue(new Date(5_000), 10)).map((k) => k.keyId), [rotating.keyId, gone.keyId]);
      assert.equal((await store.keysDue(new Date(5_000), 1)).length, 1);
      await close();
    });

    test('keysDue: a transient state (Creating, Updating) is due at once; a replica never rotates itself', async () => {
      await fresh();
      const creating = keyRecord({ keyState: 'Creating', createdAt: new Date(8_000) });
      const updating = keyRecord({ keyState: 'Updating' });
      const replica = keyRecord({ multiRegion: true, multiRegionKeyType: 'REPLICA', nextRotationDate: new Date(1_000) });
      for (const k of [creating, updating, replica]) await store.transaction((tx) => tx.insertKey(k));
      assert.deepEqual(new Set((await store.keysDue(new Date(5_000), 10)).map((k) => k.keyId)), new Set([creating.keyId, updating.keyId]));
      await close();
    });

    test('a transaction that throws leaves nothing behind', async () => {
      await fresh();
      const key = keyRecord();
      await assert.rejects(store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.putTags(key, [{ tagKey: 't', tagValue: 'v' }]);
        throw new Error('boom');
      }), /boom/);
      assert.equal(await store.getKey(key), undefined);
      assert.deepEqual(await store.listTags(key), []);
      await close();
    });

    test('lockKey: concurrent read-modify-writes of one key lose no update', async () => {
      await fresh();
      const key = keyRecord({ description: '0' });
      await store.transaction((tx) => tx.insertKey(key));
      await Promise.all(Array.from({ length: 20 }, () => store.transaction(async (tx) => {
        const k = (await tx.lockKey(key))!;
        await new Promise((r) => setTimeout(r, 1));
        k.description = String(Number(k.description) + 1);
        await tx.updateKey(k);
      })));
      assert.equal((await store.getKey(key))?.description, '20');
      await close();
    });

    test('the change feed reports committed writes, after the commit, once each', async () => {
      await fresh();
      const seen: Change[] = [];
      const unsubscribe = store.onChange((c) => { if (c.kind !== 'resync') seen.push(c); });
      const key = keyRecord();
      await store.transaction(async (tx) => {
        await tx.insertKey(key);
        await tx.putTags(key, [{ tagKey: 'a', tagValue: '1' }, { tagKey: 'b', tagValue: '2' }]);
        assert.deepEqual(seen, [], 'nothing is reported before the commit');
      });
      await rejection(store.transaction(async (tx) => {
        await tx.putSetting('never', 'x');
        throw new Error('rolled back');
      }));
      await store.transaction((tx) => tx.putSetting('dev.clock', '5'));
      await store.insertAccessKey({ accessKeyId: 'AKIAFEED', wrappedSecret: Buffer.from('w'), accountId: ACCOUNT, userName: 'u', status: 'Active', createdAt: new Date() });
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(seen, [
        { kind: 'key', id: changeId.key(key) },
        { kind: 'setting', id: 'dev.clock' },
        { kind: 'accessKey', id: 'AKIAFEED' },
      ]);
      const resyncs: Change[] = [];
      store.onChange((c) => { if (c.kind === 'resync') resyncs.push(c); });
      await store.transaction((tx) => tx.wipe());
      assert.equal(resyncs.length, 1);
      assert.equal(await store.getKey(key), undefined);
      assert.ok(await store.getAccessKey('AKIAFEED'), 'wipe keeps access keys');
      unsubscribe();
      await close();
    });

    test('the key count of an account and Region follows inserts and deletes, is emptied by wipe, and is recounted by restore', async () => {
      await fresh();
      const count = (accountId = ACCOUNT, region = REGION) => store.transaction((tx) => tx.lockKeyCount(accountId, region));
      assert.equal(await count(), 0);
      const keys = [keyRecord(), keyRecord(), keyRecord({ region: 'eu-west-1' })];
      for (const k of keys) await store.transaction((tx) => tx.insertKey(k));
      assert.equal(await count(), 2);
      assert.equal(await count(ACCOUNT, 'eu-west-1'), 1);
      assert.equal(await count('444455556666'), 0);
      await store.transaction((tx) => tx.deleteKey(keys[0]!));
      await store.transaction((tx) => tx.deleteKey(keys[0]!));
      assert.equal(await count(), 1, 'deleting a key that is gone uncounts nothing');
      // A failed insert (a key ID taken) counts nothing either.
      await rejection(store.transaction((tx) => tx.insertKey(keys[1]!)));
      assert.equal(await count(), 1);
      // A backup's counts are not trusted: restore counts the keys it restores.
      const rows = (await collect(store.exportRows())).filter((r) => r.table !== 'key_counts');
      const target = await backend.open();
      await target.importRows(replay(rows));
      assert.equal(await target.transaction((tx) => tx.lockKeyCount(ACCOUNT, REGION)), 1);
      assert.equal(await target.transaction((tx) => tx.lockKeyCount(ACCOUNT, 'eu-west-1')), 1);
      await target.close();
      await store.transaction((tx) => tx.wipe());
      assert.equal(await count(), 0);
      await close();
    });

    test('backup rows round-trip into an empty store, and restore refuses a store with records', async () => {
      const source = await fresh();
      const key = keyRecord();
      await source.transaction((tx) => tx.insertKey(key));
      await source.transaction((tx) => tx.insertMaterial(key, material(key, 'm1', 1)));
      await source.transaction((tx) => tx.putTags(key, [{ tagKey: 'a', tagValue: 'b' }]));
      await source.transaction((tx) => tx.putSetting('root-key.check', 'abc'));
      const rows = await collect(source.exportRows());
      assert.equal(rows[0]?.table, 'settings', 'settings come first');
      assert.ok(!rows.some((r) => r.table === 'schema_migrations'));
      const target = await backend.open();
      await target.transaction((tx) => tx.putSetting('root-key.check', 'other'));
      await target.importRows(replay(rows));
      assert.deepEqual(await target.getKey(key), await source.getKey(key));
      assert.deepEqual(await target.getMaterial(key, 'm1'), await source.getMaterial(key, 'm1'));
      assert.equal(await target.getSetting('root-key.check'), 'abc');
      assert.match(String(await rejection(target.importRows(replay(rows)))), /empty store/);
      await target.close();
      const empty = await backend.open();
      await assert.rejects(empty.importRows(replay([{ table: 'keys; DROP TABLE keys', row: {} }])), /table this store does not have/);
      await assert.rejects(empty.importRows(replay([{ table: 'keys', row: { 'doc) VALUES (1); --': 1 } }])),
        /column this store does not have/);
      await empty.close();
      await close();
    });

    test('another handle on the same store sees writes and is told of them', async (t) => {
      if (!backend.openShared) return t.skip('one process cannot hold two writers of this backend');
      await fresh();
      const other = backend.openShared();
      const heard: Change[] = [];
      other.onChange((c) => heard.push(c));
      const key = keyRecord();
      await store.transaction((tx) => tx.insertKey(key));
      assert.equal((await other.getKey(key))?.keyId, key.keyId, 'visible at once');
      await until(() => heard.some((c) => c.kind === 'resync' || (c.kind === 'key' && c.id === changeId.key(key))), 3_000);
      await other.close();
      await close();
    });
  });
}

const postgresSkip = await skipWithoutPostgres();

contract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-store-'));
  let n = 0;
  let path = '';
  return {
    open: async () => new SqliteStore((path = join(dir, `store-${n++}.db`))),
    openShared: () => new SqliteStore(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}, false);

contract('PostgreSQL', async () => {
  const databases: Array<{ url: string; drop(): Promise<void> }> = [];
  return {
    open: async () => {
      const db = await createTestDatabase();
      databases.push(db);
      return new PostgresStore(db.url);
    },
    openShared: () => new PostgresStore(databases.at(-1)!.url),
    cleanup: async () => { await Promise.all(databases.map((d) => d.drop())); },
  };
}, postgresSkip);

/** What only a shared database can show: several nodes racing on one store. */
describe('PostgreSQL: several nodes on one database', { skip: postgresSkip }, () => {
  let db: { url: string; drop(): Promise<void> };
  let nodes: PostgresStore[];
  before(async () => {
    db = await createTestDatabase();
    // Nodes starting together: each migration is applied once, and every node waits for the full schema.
    nodes = [new PostgresStore(db.url), new PostgresStore(db.url), new PostgresStore(db.url)];
    assert.deepEqual(await Promise.all(nodes.map((n) => n.schemaVersion())), nodes.map(() => MIGRATIONS.length));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.close()));
    await db.drop();
  });

  test('two nodes creating one alias name: exactly one wins, the other gets StoreConflictError', async () => {
    for (let round = 0; round < 10; round++) {
      const aliasName = `alias/race-${round}`;
      // Each holds its uncommitted insert a moment, so the other's insert of the name meets it and must wait.
      const results = await Promise.allSettled(nodes.slice(0, 2).map((node, i) => node.transaction(async (tx) => {
        await tx.insertAlias({ accountId: ACCOUNT, region: REGION, aliasName, targetKeyId: `k${i}`, createdAt: new Date(), updatedAt: new Date() });
        await new Promise((r) => setTimeout(r, 20));
      })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(lost.reason instanceof StoreConflictError);
    }
  });

  test('read-modify-writes of one key from three nodes lose no update', async () => {
    const key = keyRecord({ description: '0' });
    await nodes[0]!.transaction((tx) => tx.insertKey(key));
    await Promise.all(nodes.flatMap((node) => Array.from({ length: 10 }, () => node.transaction(async (tx) => {
      const k = (await tx.lockKey(key))!;
      await new Promise((r) => setTimeout(r, 2));
      k.description = String(Number(k.description) + 1);
      await tx.putTags(k, [{ tagKey: `t${k.description}`, tagValue: '' }]);
      await tx.updateKey(k);
    }))));
    assert.equal((await nodes[2]!.getKey(key))?.description, '30');
    assert.equal((await nodes[1]!.listTags(key)).length, 30);
  });

  test('a change on one node reaches the others through NOTIFY within a second', async () => {
    const heard: Change[][] = [[], []];
    const unsubscribes = [nodes[1]!, nodes[2]!].map((n, i) => n.onChange((c) => heard[i]!.push(c)));
    await new Promise((r) => setTimeout(r, 300)); // the LISTEN connections come up
    const own: Change[] = [];
    const unsubscribeOwn = nodes[0]!.onChange((c) => { if (c.kind !== 'resync') own.push(c); });
    await nodes[0]!.transaction((tx) => tx.putSetting('dev.clockOffsetMs', '1000'));
    const started = Date.now();
    await until(() => heard.every((h) => h.some((c) => c.kind === 'setting' && c.id === 'dev.clockOffsetMs')), 1_000);
    assert.ok(Date.now() - started < 1_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(own, [{ kind: 'setting', id: 'dev.clockOffsetMs' }], 'a node hears its own change once');
    for (const u of [...unsubscribes, unsubscribeOwn]) u();
  });

  test('a node whose notification connection is cut reconnects, resyncs, and hears changes again', async () => {
    const heard: Change[] = [];
    const unsubscribe = nodes[1]!.onChange((c) => heard.push(c));
    try {
      await new Promise((r) => setTimeout(r, 300)); // every node's LISTEN is up
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rowCount } = await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN %'`);
      await client.end();
      assert.ok((rowCount ?? 0) >= 1, 'the nodes were listening');
      heard.length = 0;
      await until(() => heard.some((c) => c.kind === 'resync'), 3_000);
      await nodes[0]!.transaction((tx) => tx.putSetting('after-reconnect', '1'));
      await until(() => heard.some((c) => c.kind === 'setting' && c.id === 'after-reconnect'), 1_000);
    } finally {
      unsubscribe();
    }
  });

  test('due deletions run exactly once with the schedulers of two nodes racing', async () => {
    const due = Array.from({ length: 40 }, () => keyRecord({ keyState: 'PendingDeletion', deletionDate: new Date(1_000) }));
    for (const k of due) await nodes[0]!.transaction((tx) => tx.insertKey(k));
    const deletions: string[] = [];
    const counting = (store: Store): Store => Object.assign(Object.create(store) as Store, {
      transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => store.transaction((tx) => fn(Object.assign(Object.create(tx) as StoreOps, {
        deleteKey: async (ref: KeyRef) => { await tx.deleteKey(ref); deletions.push(ref.keyId); },
      }))),
    });
    // The deletion path of the scheduler reads nothing but the store and the clock.
    const schedulers = [nodes[0]!, nodes[1]!].map((store) =>
      new Scheduler({ store: counting(store), clock: new Clock() } as unknown as Deps, 1_000, 7));
    while ((await nodes[2]!.keysDue(new Date(), 100)).some((k) => due.some((d) => d.keyId === k.keyId))) {
      await Promise.all(schedulers.map((s) => s.tick()));
    }
    assert.equal(deletions.length, due.length, 'each key deleted once');
    assert.deepEqual(new Set(deletions), new Set(due.map((k) => k.keyId)));
  });

  test("a primary waiting for its replicas: two nodes' schedulers delete them, and start its waiting period once", async () => {
    for (let round = 0; round < 5; round++) {
      const primary = keyRecord({
        keyId: `mrk-wait-${round}`, multiRegion: true, multiRegionKeyType: 'PRIMARY', primaryRegion: REGION,
        keyState: 'PendingReplicaDeletion', pendingWindowDays: 7,
      });
      const replicas = ['eu-west-1', 'eu-west-2', 'ap-south-1', 'sa-east-1'].map((region) => ({
        ...primary, region, multiRegionKeyType: 'REPLICA' as const, keyState: 'PendingDeletion' as const, deletionDate: new Date(1_000),
        pendingWindowDays: 7,
      }));
      await nodes[0]!.transaction(async (tx) => { for (const k of [primary, ...replicas]) await tx.insertKey(k); });
      const updates: KeyRecord[] = [];
      const watching = (store: Store): Store => Object.assign(Object.create(store) as Store, {
        transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => store.transaction((tx) => fn(Object.assign(Object.create(tx) as StoreOps, {
          updateKey: async (key: KeyRecord) => { await tx.updateKey(key); if (key.region === REGION) updates.push({ ...key }); },
        }))),
      });
      const schedulers = [nodes[0]!, nodes[1]!].map((store) =>
        new Scheduler({ store: watching(store), clock: new Clock() } as unknown as Deps, 1_000, 2));
      while ((await nodes[2]!.listRelatedKeys(ACCOUNT, primary.keyId)).length > 1) {
        await Promise.all(schedulers.map((s) => s.tick()));
      }
      const now = (await nodes[2]!.getKey(primary))!;
      assert.equal(now.keyState, 'PendingDeletion');
      assert.ok(now.deletionDate && now.deletionDate.getTime() > Date.now() + 6 * 86_400_000);
      assert.deepEqual(updates.map((u) => u.keyState), ['PendingDeletion'], 'the waiting period started once');
      }
    });

  test('expired imported material is deleted exactly once, with one DeleteExpiredKeyMaterial event, with two nodes racing', async () => {
    const due = Array.from({ length: 30 }, () => keyRecord({
      origin: 'EXTERNAL', importedMaterials: [{ materialId: 'm', state: 'CURRENT', imported: true, expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: new Date(1_000) }],
    }));
    for (const k of due) {
      await nodes[0]!.transaction(async (tx) => {
        await tx.insertKey(k);
        await tx.insertMaterial(k, material(k, 'm', 1));
      });
    }
    const deletions: string[] = [];
    const events: string[] = [];
    const counting = (store: Store): Store => Object.assign(Object.create(store) as Store, {
      transaction: <T>(fn: (tx: StoreOps) => Promise<T>) => store.transaction((tx) => fn(Object.assign(Object.create(tx) as StoreOps, {
        deleteMaterial: async (ref: KeyRef, id: string) => { await tx.deleteMaterial(ref, id); deletions.push(ref.keyId); },
        insertAuditRecords: async (records: readonly AuditRecord[]) => {
          await tx.insertAuditRecords(records);
          events.push(...records.map((r) => `${r.eventName} ${r.resources}`));
        },
      }))),
    });
    const schedulers = [nodes[0]!, nodes[1]!].map((store) =>
      new Scheduler({ store: counting(store), clock: new Clock() } as unknown as Deps, 1_000, 7));
    while ((await nodes[2]!.keysDue(new Date(), 100)).some((k) => due.some((d) => d.keyId === k.keyId))) {
      await Promise.all(schedulers.map((s) => s.tick()));
    }
    assert.equal(deletions.length, due.length, 'each material deleted once');
    assert.equal(events.length, due.length);
    assert.ok(events.every((e) => e.startsWith('DeleteExpiredKeyMaterial ')));
    for (const k of due) {
      const after = await nodes[2]!.getKey(k);
      assert.equal(after?.keyState, 'PendingImport');
      assert.equal(await nodes[2]!.getMaterial(k, 'm'), undefined);
    }
  });
});
