import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  CreateGrantCommand, CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand, ListGrantsCommand, ListKeysCommand,
  PutKeyPolicyCommand, RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { RootKey, wrapIdentity } from '../../src/keys/root-key.js';
import { removeDir, startTrent } from '../support/trent.js';

describe('keys are durable and encrypted at rest', () => {
  test('keys created before a kill -9 are all there after a restart', async () => {
    const first = await startTrent();
    const kms = first.client();
    const created = [];
    for (const KeySpec of ['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256'] as const) {
      const KeyUsage = KeySpec === 'HMAC_256' ? 'GENERATE_VERIFY_MAC' : KeySpec === 'ECC_NIST_P256' ? 'SIGN_VERIFY' : undefined;
      created.push((await kms.send(new CreateKeyCommand({ KeySpec, KeyUsage, Description: KeySpec }))).KeyMetadata!);
    }
    await first.stop('SIGKILL');
    const second = await startTrent({ dataDir: first.dataDir });
    try {
      const again = second.client();
      for (const m of created) {
        assert.deepEqual((await again.send(new DescribeKeyCommand({ KeyId: m.KeyId }))).KeyMetadata, m);
      }
      const listed = (await again.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
      for (const m of created) assert.ok(listed.includes(m.KeyId));
    } finally {
      await second.stop();
      removeDir(first.dataDir);
    }
  });

  test('grants made, grants revoked and policies put before a kill -9 are as answered after a restart', async () => {
    const first = await startTrent();
    const kms = first.client();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata!.KeyId!;
    const grantee = (n: number) => `arn:aws:iam::111122223333:user/grantee-${n}`;
    const grants = [];
    for (let n = 0; n < 3; n++) {
      grants.push((await kms.send(new CreateGrantCommand({ KeyId, GranteePrincipal: grantee(n), Operations: ['Decrypt'] }))).GrantId!);
    }
    await kms.send(new RevokeGrantCommand({ KeyId, GrantId: grants[1]! }));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'Durable', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
    });
    await kms.send(new PutKeyPolicyCommand({ KeyId, Policy: policy }));
    await first.stop('SIGKILL');
    const second = await startTrent({ dataDir: first.dataDir });
    try {
      const again = second.client();
      const listed = (await again.send(new ListGrantsCommand({ KeyId }))).Grants!.map((g) => g.GrantId).sort();
      assert.deepEqual(listed, [grants[0]!, grants[2]!].sort());
      assert.equal((await again.send(new GetKeyPolicyCommand({ KeyId }))).Policy, policy);
    } finally {
      await second.stop();
      removeDir(first.dataDir);
    }
  });

  test('no key material appears in plaintext in the database files',
    { skip: process.env.TRENT_TEST_DATABASE_URL ? 'reads the SQLite files; PostgreSQL keeps the same wrapped bytes' : false }, async () => {
    const trent = await startTrent();
    const kms = trent.client();
    for (let i = 0; i < 5; i++) await kms.send(new CreateKeyCommand({}));
    await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }));
    await trent.stop('SIGKILL');
    try {
      // Unwrap every material with the root key, then look for its bytes in every file of the store.
      const root = new RootKey(Buffer.from(readFileSync(join(trent.dataDir, 'root.key'), 'utf8').trim(), 'base64'));
      const db = new Database(join(trent.dataDir, 'trent.db'), { readonly: true });
      const rows = db.prepare('SELECT account_id, key_id, material_id, wrapped FROM materials').all() as
        Array<{ account_id: string; key_id: string; material_id: string; wrapped: Buffer }>;
      db.close();
      assert.equal(rows.length, 6);
      const files = readdirSync(trent.dataDir).filter((f) => f.startsWith('trent.db'))
        .map((f) => readFileSync(join(trent.dataDir, f)));
      for (const r of rows) {
        const secret = root.unwrap(wrapIdentity.material(r.account_id, r.key_id, r.material_id), r.wrapped);
        assert.ok(secret.length >= 32);
        for (const file of files) assert.equal(file.indexOf(secret), -1, 'plaintext key material found in the store');
      }
    } finally {
      removeDir(trent.dataDir);
    }
  });
});
