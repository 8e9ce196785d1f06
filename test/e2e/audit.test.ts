import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { credentialsFrom, removeDir, startTrent } from '../support/trent.js';

interface AuditEvent {
  eventName: string;
  eventSource: string;
  requestID: string;
  errorCode?: string;
  userIdentity: { accessKeyId?: string; accountId?: string };
  requestParameters: Record<string, unknown> | null;
}

test('serve audits every call, refused ones included, and never writes plaintext', async () => {
  const trent = await startTrent({ posture: 'serve' });
  try {
    const admin = credentialsFrom(trent.output());
    const kms = trent.client(admin);
    const secret = 'the plaintext that must never reach the audit trail';
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'audited' }));
    await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from(secret), EncryptionContext: { app: 'audit' } }));
    await assert.rejects(kms.send(new DescribeKeyCommand({ KeyId: 'alias/none' })));
    const tooLarge = await fetch(trent.endpoint, {
      method: 'POST', body: 'x'.repeat(1024 * 1024 + 1), headers: { 'x-amz-target': 'TrentService.Encrypt' },
    });
    assert.equal(tooLarge.status, 413);
    await trent.stop(); // flushes the audit buffers

    const dir = join(trent.dataDir, 'audit');
    const text = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('');
    assert.doesNotMatch(text, new RegExp(secret));
    assert.doesNotMatch(text, new RegExp(Buffer.from(secret).toString('base64').slice(0, 40)));
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    const named = (name: string) => events.filter((e) => e.eventName === name);
    assert.equal(named('CreateKey')[0]?.requestParameters?.description, 'audited');
    const encrypt = named('Encrypt').find((e) => !e.errorCode)!;
    assert.deepEqual(encrypt.requestParameters, { keyId: KeyMetadata!.KeyId, encryptionContext: { app: 'audit' } });
    assert.equal(encrypt.userIdentity.accessKeyId, admin.accessKeyId);
    assert.equal(encrypt.eventSource, 'kms.amazonaws.com');
    assert.equal(named('DescribeKey')[0]?.errorCode, 'NotFoundException');
    assert.ok(named('Encrypt').some((e) => e.errorCode === 'RequestEntityTooLargeException'));
    assert.equal(new Set(events.map((e) => e.requestID)).size, events.length, 'one event per request');
  } finally {
    await removeDir(trent.dataDir);
  }
});
