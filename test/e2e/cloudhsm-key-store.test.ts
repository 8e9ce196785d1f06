/**
 * AWS_CLOUDHSM key stores on SoftHSM2 tokens made here (softhsm2-util), through @aws-sdk/client-kms: the key is
 * generated in the token, sensitive and not extractable (read back with pkcs11js), AES-GCM runs there, and a
 * wrong PIN or a token that went away gives AWS's connection errors.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, DecryptCommand, DeleteCustomKeyStoreCommand, DescribeCustomKeyStoresCommand,
  DescribeKeyCommand, DisconnectCustomKeyStoreCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, ScheduleKeyDeletionCommand,
  UpdateCustomKeyStoreCommand, type CustomKeyStoresListEntry,
} from '@aws-sdk/client-kms';
import { createKey, rejects } from '../support/kms.js';
import { REPO, useTrent } from '../support/trent.js';

const MODULE = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so'].find((p) => existsSync(p));
const PIN = '87654321';
const CLUSTER = 'cluster-2a34b5cdefg';
const RELATED = 'cluster-3b45c6defgh';
const ABSENT = 'cluster-4c56d7efghi';
const GONE = 'cluster-5d67e7fghij';

// Under CI SoftHSM2 is installed by .ci/run and the suite must run; elsewhere it is skipped without it.
describe('custom key stores: AWS CloudHSM key stores on SoftHSM2', { skip: !MODULE && process.env.CI !== 'true' ? 'SoftHSM2 is not installed' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-hsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf };
  const initToken = (label: string) => execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', '12345678', '--pin', PIN],
    { env, stdio: 'ignore' });
  if (MODULE) {
    initToken('trent');
    initToken('trent-gone');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=customerCA',
      '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'customerCA.crt')], { stdio: 'ignore' });
  }
  const anchor = MODULE ? readFileSync(join(dir, 'customerCA.crt'), 'utf8') : '';
  const token = (tokenLabel: string) => ({ module: MODULE, tokenLabel });
  const trent = useTrent({
    env: {
      SOFTHSM2_CONF: conf,
      TRENT_CLOUDHSM_TOKENS: JSON.stringify({ [CLUSTER]: token('trent'), [RELATED]: token('trent'), [ABSENT]: token('absent'), [GONE]: token('trent-gone') }),
    },
  });
  const kms = trent.client();
  after(() => rmSync(dir, { recursive: true, force: true }));

  const describeStore = async (id: string): Promise<CustomKeyStoresListEntry> =>
    (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!;
  const create = (name: string, CloudHsmClusterId: string, o: { anchor?: string; pin?: string } = {}) => kms.send(new CreateCustomKeyStoreCommand({
    CustomKeyStoreName: name, CloudHsmClusterId, TrustAnchorCertificate: o.anchor ?? anchor, KeyStorePassword: o.pin ?? PIN,
  }));

  test('create, connect, a key made in the token, encrypt and decrypt there, disconnect, a wrong PIN, reconnect', async () => {
    await rejects(create('x', 'cluster-6e7f7ghijkl'), 'CloudHsmClusterNotFoundException');
    await rejects(create('x', ABSENT), 'CloudHsmClusterNotActiveException');
    await rejects(create('x', CLUSTER, { anchor: 'not a certificate' }), 'IncorrectTrustAnchorException');
    const { CustomKeyStoreId: id } = await create('hsm', CLUSTER);
    await rejects(create('hsm-2', CLUSTER), 'CloudHsmClusterInUseException');
    const store = await describeStore(id!);
    assert.equal(store.CustomKeyStoreType, 'AWS_CLOUDHSM');
    assert.equal(store.CloudHsmClusterId, CLUSTER);
    assert.equal(store.TrustAnchorCertificate, anchor);
    assert.equal(store.ConnectionState, 'DISCONNECTED');

    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id!)).ConnectionState, 'CONNECTED');
    const key = await createKey(kms, { Origin: 'AWS_CLOUDHSM', CustomKeyStoreId: id });
    assert.equal(key.Origin, 'AWS_CLOUDHSM');
    assert.equal(key.KeyState, 'Enabled');
    assert.equal(key.CurrentKeyMaterialId, undefined, 'the material is in the token, not in Trent');

    // In the token: an AES key named by the key ID, sensitive and not extractable; its value cannot be read.
    const inToken = inTokenAttributes(key.KeyId!);
    assert.ok(inToken, 'the key is in the token');
    assert.deepEqual(inToken, { sensitive: 1, extractable: 0, valueLength: 32, onToken: 1, valueReadable: false });

    const context = { app: 'hsm' };
    const plaintext = Buffer.from('kept in a token');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context }));
    assert.equal(CiphertextBlob![0], 3);
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).Plaintext!), plaintext);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { app: 'other' } })), 'InvalidCiphertextException');
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, NumberOfBytes: 32 }));
    assert.deepEqual((await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext, dataKey.Plaintext);
    const random = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 24, CustomKeyStoreId: id }));
    assert.equal(random.Plaintext!.length, 24);

    await rejects(kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'wrong-pin' })), 'CustomKeyStoreInvalidStateException');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState, 'Unavailable');
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext })), 'KMSInvalidStateException', `${key.Arn} is unavailable.`);
    await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException');

    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: 'wrong-pin' }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const failed = await describeStore(id!);
    assert.deepEqual([failed.ConnectionState, failed.ConnectionErrorCode], ['FAILED', 'INVALID_CREDENTIALS']);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await rejects(kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, CloudHsmClusterId: ABSENT })), 'CloudHsmClusterNotRelatedException');
    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: id, KeyStorePassword: PIN, CloudHsmClusterId: RELATED }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id!)).ConnectionState, 'CONNECTED');
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).Plaintext!), plaintext);

    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await rejects(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreHasCMKsException');

    // Deleted while its store is connected, the key leaves the token too.
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await promisify(execFile)(process.execPath, [join(REPO, 'bin', 'trent.js'), 'clock', 'advance', '8d', '--endpoint', trent().endpoint]);
    for (let i = 0; i < 300 && inTokenAttributes(key.KeyId!); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(inTokenAttributes(key.KeyId!), undefined);
    await rejects(kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })), 'NotFoundException');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });

  /** The attributes of the token object named by `keyId` (read with pkcs11js, as any PKCS#11 client would), or undefined. */
  function inTokenAttributes(keyId: string) {
    const lib = new pkcs11js.PKCS11();
    process.env.SOFTHSM2_CONF = conf;
    lib.load(MODULE!);
    lib.C_Initialize();
    try {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === 'trent')!;
      const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      lib.C_Login(session, pkcs11js.CKU_USER, PIN);
      lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_ID, value: Buffer.from(keyId) }]);
      const handle = lib.C_FindObjects(session);
      lib.C_FindObjectsFinal(session);
      if (!handle) return undefined;
      const [sensitive, extractable, valueLength, onToken] = lib.C_GetAttributeValue(session, handle, [
        { type: pkcs11js.CKA_SENSITIVE }, { type: pkcs11js.CKA_EXTRACTABLE }, { type: pkcs11js.CKA_VALUE_LEN }, { type: pkcs11js.CKA_TOKEN },
      ]).map((a) => a.value as Buffer);
      let valueReadable = true;
      try {
        lib.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]);
      } catch (e) {
        valueReadable = !/CKR_ATTRIBUTE_SENSITIVE/.test(String(e));
      }
      return { sensitive: sensitive![0], extractable: extractable![0], valueLength: valueLength!.readUInt32LE(0), onToken: onToken![0], valueReadable };
    } finally {
      lib.C_Finalize();
    }
  }

  test('a token that goes away: the connection FAILS with INSUFFICIENT_CLOUDHSM_HSMS', async () => {
    const { CustomKeyStoreId: id } = await create('gone', GONE);
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    execFileSync('softhsm2-util', ['--delete-token', '--token', 'trent-gone'], { env, stdio: 'ignore' });
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    const store = await describeStore(id!);
    assert.deepEqual([store.ConnectionState, store.ConnectionErrorCode], ['FAILED', 'INSUFFICIENT_CLOUDHSM_HSMS']);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
  });
});
