/**
 * Custom key stores through @aws-sdk/client-kms: an external key store backed by `trent xks-proxy` on another
 * port, behind a certificate of a private CA made here with openssl (Trent trusts it through TRENT_XKS_CA_FILE
 * and reaches the proxy's host name through TRENT_XKS_RESOLVE). The proxy's failures map to AWS's errors.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  CancelKeyDeletionCommand, ConnectCustomKeyStoreCommand, CreateCustomKeyStoreCommand, DecryptCommand, DeleteCustomKeyStoreCommand, DescribeCustomKeyStoresCommand,
  DescribeKeyCommand, DisableKeyCommand, DisconnectCustomKeyStoreCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand,
  GenerateDataKeyCommand, GenerateRandomCommand, GetParametersForImportCommand, ReEncryptCommand, ScheduleKeyDeletionCommand,
  UpdateCustomKeyStoreCommand, type CreateCustomKeyStoreCommandInput, type CustomKeyStoresListEntry,
} from '@aws-sdk/client-kms';
import { readTrail } from '../support/audit.js';
import { createKey, rejects } from '../support/kms.js';
import { REPO, useTrent } from '../support/trent.js';
import { freePort, makeTestCa, proxyCli, startProxy, type RunningProxy, type TestCa } from '../support/xks.js';

const HOST = 'xks.trent.test';
/** More names of the one proxy: each store of an account needs an address of its own. */
const ALIASES = Array.from({ length: 8 }, (_, i) => `xks${i + 1}.trent.test`);
const SLOW = 'slow.trent.test';
const DEAD = 'dead.trent.test';
const WRONG_NAME = 'wrong-name.trent.test';
const URI_PATH = '/tenant-a/kms/xks/v1';

const dir = mkdtempSync(join(tmpdir(), 'trent-cks-'));
const keysDir = join(dir, 'proxy');
const ca: TestCa = makeTestCa(dir, [HOST, SLOW, ...ALIASES]);
const credential = JSON.parse(proxyCli(keysDir, 'create-credential')) as { accessKeyId: string; secretAccessKey: string };
const ports = { proxy: await freePort(), slow: await freePort(), dead: await freePort() };

describe('custom key stores: an external key store through trent xks-proxy', () => {
  let proxy: RunningProxy;
  let slow: Server;
  before(async () => {
    proxy = await startProxy(keysDir, ca, ports.proxy, '/tenant-a');
    // A proxy that answers correctly, after 300 ms: past the 250 ms AWS KMS (and Trent) waits.
    slow = createServer({ cert: readFileSync(ca.certFile), key: readFileSync(ca.keyFile) },
      (_req, res) => setTimeout(() => res.end(JSON.stringify({
        xksProxyFleetSize: 1, xksProxyVendor: 'v', xksProxyModel: 'm', ekmVendor: 'e', ekmFleetDetails: [{ id: 'a', model: 'b', healthStatus: 'ACTIVE' }],
      })), 300));
    await new Promise<void>((resolve) => slow.listen(ports.slow, '127.0.0.1', () => resolve()));
  });
  // A generous timeout here: on a busy test machine a healthy proxy may take more than 250 ms. AWS's 250 ms, the
  // default, is the one of the server in 'the 250 ms of AWS' below.
  const trent = useTrent({
    env: {
      TRENT_XKS_TIMEOUT_MS: '10000',
      TRENT_XKS_CA_FILE: ca.caFile,
      TRENT_XKS_RESOLVE: [`${HOST}=127.0.0.1:${ports.proxy}`, `${SLOW}=127.0.0.1:${ports.slow}`, `${DEAD}=127.0.0.1:${ports.dead}`,
        `${WRONG_NAME}=127.0.0.1:${ports.proxy}`, ...ALIASES.map((a) => `${a}=127.0.0.1:${ports.proxy}`)].join(','),
    },
  });
  const kms = trent.client();
  after(async () => {
    await proxy?.stop();
    await new Promise((resolve) => slow?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  let count = 0;
  const storeInput = (o: Partial<CreateCustomKeyStoreCommandInput> = {}): CreateCustomKeyStoreCommandInput => ({
    CustomKeyStoreName: `store-${++count}`, CustomKeyStoreType: 'EXTERNAL_KEY_STORE', XksProxyConnectivity: 'PUBLIC_ENDPOINT',
    XksProxyUriEndpoint: `https://${HOST}`, XksProxyUriPath: URI_PATH,
    XksProxyAuthenticationCredential: { AccessKeyId: credential.accessKeyId, RawSecretAccessKey: credential.secretAccessKey }, ...o,
  });
  const describeStore = async (id: string): Promise<CustomKeyStoresListEntry> =>
    (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores![0]!;
  const keyState = async (keyId: string) => (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState;
  const newExternalKey = () => proxyCli(keysDir, 'create-key').trim();
  /** A store made, connected, and holding one key; each test that changes its store gets its own. */
  let aliasesUsed = 0;
  async function connectedStoreWithKey() {
    const endpoint = `https://${ALIASES[aliasesUsed++]}`;
    const { CustomKeyStoreId: storeId } = await kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: endpoint })));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    const xksKeyId = newExternalKey();
    const key = await createKey(kms, { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId: xksKeyId });
    return { storeId: storeId!, key, xksKeyId, endpoint };
  }

  test('create, connect, create a key, encrypt and decrypt, disconnect (Unavailable), reconnect, delete', async () => {
    const { CustomKeyStoreId: id } = await kms.send(new CreateCustomKeyStoreCommand(storeInput({ CustomKeyStoreName: 'lifecycle' })));
    assert.match(id!, /^cks-[0-9a-f]{17}$/);
    let store = await describeStore(id!);
    assert.equal(store.ConnectionState, 'DISCONNECTED');
    assert.equal(store.CustomKeyStoreType, 'EXTERNAL_KEY_STORE');
    assert.deepEqual(store.XksProxyConfiguration, {
      Connectivity: 'PUBLIC_ENDPOINT', AccessKeyId: credential.accessKeyId, UriEndpoint: `https://${HOST}`, UriPath: URI_PATH,
    });
    assert.equal(store.ConnectionErrorCode, undefined);
    const xksKeyId = newExternalKey();
    await rejects(createKey(kms, { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: xksKeyId }), 'CustomKeyStoreInvalidStateException');

    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id!)).ConnectionState, 'CONNECTED');
    const key = await createKey(kms, { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: xksKeyId, Description: 'external' });
    assert.equal(key.Origin, 'EXTERNAL_KEY_STORE');
    assert.equal(key.CustomKeyStoreId, id);
    assert.deepEqual(key.XksKeyConfiguration, { Id: xksKeyId });
    assert.equal(key.KeyState, 'Enabled');
    await rejects(createKey(kms, { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: id, XksKeyId: xksKeyId }), 'XksKeyAlreadyInUseException');

    const context = { purpose: 'test' };
    const plaintext = Buffer.from('in an external key store');
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context }));
    assert.equal(CiphertextBlob![0], 2, 'the version-2 blob of a key in an external key store');
    const opened = await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }));
    assert.deepEqual(Buffer.from(opened.Plaintext!), plaintext);
    assert.equal(opened.KeyId, key.Arn);
    // The context is bound at both layers: the proxy refuses first, and its refusal is AWS's for that.
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: { purpose: 'other' } })), 'KMSInvalidStateException',
      /ciphertext or encryption context is corrupted/);
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    const reopened = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }));
    assert.deepEqual(reopened.Plaintext, dataKey.Plaintext);
    const local = await createKey(kms);
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: local.KeyId }));
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }))).Plaintext!), plaintext);

    // Not rotatable, not importable: AWS's errors for keys of a custom key store.
    await rejects(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), 'UnsupportedOperationException',
      `${key.Arn} origin is EXTERNAL_KEY_STORE which is not valid for this operation.`);
    await rejects(kms.send(new GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })),
      'UnsupportedOperationException', `${key.Arn} origin is EXTERNAL_KEY_STORE which is not valid for this operation.`);

    await rejects(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal((await describeStore(id!)).ConnectionState, 'DISCONNECTED');
    assert.equal(await keyState(key.KeyId!), 'Unavailable');
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext })), 'KMSInvalidStateException', `${key.Arn} is unavailable.`);
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context })), 'KMSInvalidStateException', `${key.Arn} is unavailable.`);
    await rejects(kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreInvalidStateException');
    // Footnote [12]: DisableKey succeeds on an Unavailable key; the state changes when it becomes available.
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    assert.equal(await keyState(key.KeyId!), 'Unavailable');

    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    assert.equal(await keyState(key.KeyId!), 'Disabled');
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob, EncryptionContext: context }))).Plaintext!), plaintext);

    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await rejects(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreHasCMKsException');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    assert.equal(await keyState(key.KeyId!), 'PendingDeletion');
    // Cancelled while the store is disconnected: Disabled once it connects, Unavailable until then.
    await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    assert.equal(await keyState(key.KeyId!), 'Unavailable');
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await rejects(kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreHasCMKsException');
    await promisify(execFile)(process.execPath, [join(REPO, 'bin', 'trent.js'), 'clock', 'advance', '8d', '--endpoint', trent().endpoint]);
    // The scheduler completes the deletion within a second or so of the clock moving.
    for (let i = 0; i < 300; i++) {
      const e = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })).then(() => undefined, (err: Error) => err);
      if (e?.name === 'NotFoundException') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await kms.send(new DeleteCustomKeyStoreCommand({ CustomKeyStoreId: id }));
    await rejects(kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id })), 'CustomKeyStoreNotFoundException');
    store = (await kms.send(new DescribeCustomKeyStoresCommand({}))).CustomKeyStores!.find((s) => s.CustomKeyStoreId === id)!;
    assert.equal(store, undefined);
  });

  test('a wrong proxy secret: Create and Update refuse it; Connect with it leaves the store FAILED (INVALID_CREDENTIALS)', async () => {
    const wrong = { AccessKeyId: credential.accessKeyId, RawSecretAccessKey: `${credential.secretAccessKey.slice(0, -4)}AAAA` };
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyAuthenticationCredential: wrong }))),
      'XksProxyIncorrectAuthenticationCredentialException', /could not authenticate AWS KMS/);
    const { storeId, key } = await connectedStoreWithKey();
    await rejects(kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: storeId, XksProxyAuthenticationCredential: wrong })),
      'XksProxyIncorrectAuthenticationCredentialException');
    // The proxy forgets the credential: the store's calls fail, and a new connection cannot be made.
    const rotated = JSON.parse(proxyCli(keysDir, 'create-credential')) as typeof credential;
    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: storeId,
      XksProxyAuthenticationCredential: { AccessKeyId: rotated.accessKeyId, RawSecretAccessKey: rotated.secretAccessKey } }));
    assert.equal((await describeStore(storeId)).XksProxyConfiguration!.AccessKeyId, rotated.accessKeyId);
    proxyCli(keysDir, 'delete-credential', rotated.accessKeyId);
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException',
      /could not authenticate AWS KMS/);
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    const failed = await describeStore(storeId);
    assert.equal(failed.ConnectionState, 'FAILED');
    assert.equal(failed.ConnectionErrorCode, 'INVALID_CREDENTIALS');
    await rejects(kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId })), 'CustomKeyStoreInvalidStateException');
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: storeId,
      XksProxyAuthenticationCredential: { AccessKeyId: credential.accessKeyId, RawSecretAccessKey: credential.secretAccessKey } }));
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
    assert.equal((await describeStore(storeId)).ConnectionState, 'CONNECTED');
  });

  test('the external key: disabled, without DECRYPT, unknown in the proxy; disabled after the KMS key was made', async () => {
    const { storeId, key, xksKeyId } = await connectedStoreWithKey();
    const disabled = newExternalKey();
    proxyCli(keysDir, 'disable-key', disabled);
    const create = (XksKeyId: string) => createKey(kms, { Origin: 'EXTERNAL_KEY_STORE', CustomKeyStoreId: storeId, XksKeyId });
    await rejects(create(disabled), 'XksKeyInvalidConfigurationException', /not enabled/);
    await rejects(create(proxyCli(keysDir, 'create-key', '--usage', 'encrypt').trim()), 'XksKeyInvalidConfigurationException', /ENCRYPT and DECRYPT/);
    await rejects(create('no-such-external-key'), 'XksKeyNotFoundException', /was not found in its external key manager/);
    const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }));
    proxyCli(keysDir, 'disable-key', xksKeyId);
    await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException',
      'The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.');
    await rejects(kms.send(new DecryptCommand({ CiphertextBlob })), 'KMSInvalidStateException', /is not enabled in the external key manager/);
    proxyCli(keysDir, 'enable-key', xksKeyId);
    assert.deepEqual(Buffer.from((await kms.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!), Buffer.from('x'));
  });

  test('a proxy not listening, a certificate for another name, another URI path', async () => {
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: `https://${DEAD}` }))),
      'XksProxyUriUnreachableException', /cannot communicate with the external key store proxy/);
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: `https://${WRONG_NAME}` }))),
      'XksProxyUriUnreachableException', /cannot establish a TLS connection/);
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriPath: '/tenant-b/kms/xks/v1' }))),
      'XksProxyInvalidConfigurationException', /invalid URI path/);
  });

  test('the proxy stopped: cryptographic calls time out to KMSInvalidStateException, a connection FAILS (XKS_PROXY_NOT_REACHABLE)', async () => {
    const { storeId, key } = await connectedStoreWithKey();
    await proxy.stop();
    try {
      await rejects(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x') })), 'KMSInvalidStateException',
        /cannot communicate with the external key store proxy/);
      await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
      await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: storeId }));
      const store = await describeStore(storeId);
      assert.equal(store.ConnectionState, 'FAILED');
      assert.equal(store.ConnectionErrorCode, 'XKS_PROXY_NOT_REACHABLE');
      assert.equal(await keyState(key.KeyId!), 'Unavailable');
    } finally {
      proxy = await startProxy(keysDir, ca, ports.proxy, '/tenant-a');
    }
  });

  test('a proxy answering after 300 ms is waited for when the timeout allows it', async () => {
    const { CustomKeyStoreId } = await kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: `https://${SLOW}` })));
    assert.equal((await describeStore(CustomKeyStoreId!)).ConnectionState, 'DISCONNECTED');
  });

  describe('the 250 ms of AWS', () => {
    const strict = useTrent({ env: { TRENT_XKS_CA_FILE: ca.caFile, TRENT_XKS_RESOLVE: `${SLOW}=127.0.0.1:${ports.slow}` } });
    test('a proxy answering after 300 ms is XksProxyUriUnreachableException', async () => {
      await rejects(strict.client().send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: `https://${SLOW}` }))),
        'XksProxyUriUnreachableException', /did not respond in time/);
    });
  });

  test('names, IDs, pagination, and the rules of the parameters', async () => {
    const { storeId, endpoint } = await connectedStoreWithKey();
    const name = (await describeStore(storeId)).CustomKeyStoreName!;
    const byName = await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: name }));
    assert.equal(byName.CustomKeyStores![0]!.CustomKeyStoreId, storeId);
    await rejects(kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreName: 'no such store' })), 'CustomKeyStoreNotFoundException');
    await rejects(kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: 'cks-00000000000000000' })), 'CustomKeyStoreNotFoundException');
    await rejects(kms.send(new DescribeCustomKeyStoresCommand({ Marker: 'bogus' })), 'InvalidMarkerException');
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ CustomKeyStoreName: name, XksProxyUriPath: '/other/kms/xks/v1' }))),
      'CustomKeyStoreNameInUseException');
    // Same endpoint and path as a store of the account: refused before the proxy is asked.
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyUriEndpoint: endpoint }))), 'XksProxyUriInUseException');
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ XksProxyConnectivity: 'VPC_ENDPOINT_SERVICE' }))), 'ValidationException',
      /XksProxyVpcEndpointServiceName is required/);
    await rejects(kms.send(new CreateCustomKeyStoreCommand(storeInput({ CloudHsmClusterId: 'cluster-2a34b5cdefg' }))), 'ValidationException');
    await rejects(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'hsm', CloudHsmClusterId: 'cluster-2a34b5cdefg',
      TrustAnchorCertificate: 'pem', KeyStorePassword: 'kmsPswd1' })), 'CloudHsmClusterNotFoundException');
    await rejects(kms.send(new CreateCustomKeyStoreCommand({ CustomKeyStoreName: 'hsm' })), 'ValidationException', /CloudHsmClusterId is required/);
    await rejects(kms.send(new GenerateRandomCommand({ NumberOfBytes: 8, CustomKeyStoreId: storeId })), 'UnsupportedOperationException');
    await rejects(kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: storeId, XksProxyUriEndpoint: 'https://elsewhere.example' })),
      'CustomKeyStoreInvalidStateException');
    await kms.send(new UpdateCustomKeyStoreCommand({ CustomKeyStoreId: storeId, NewCustomKeyStoreName: `${name}-renamed` }));
    assert.equal((await describeStore(storeId)).CustomKeyStoreName, `${name}-renamed`);
    const all: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await kms.send(new DescribeCustomKeyStoresCommand({ Limit: 1, Marker }));
      assert.ok(page.CustomKeyStores!.length <= 1);
      all.push(...page.CustomKeyStores!.map((s) => s.CustomKeyStoreId!));
      Marker = page.NextMarker;
      assert.equal(page.Truncated, Marker !== undefined);
    } while (Marker);
    assert.ok(all.includes(storeId));
    assert.deepEqual(all, [...all].sort());
  });

  test('each proxy call is in the request audit record, with its latency and outcome', async () => {
    const { key } = await connectedStoreWithKey();
    const { events } = await readTrail(trent().storeArgs, ['--key-id', key.KeyId!, '--event-name', 'CreateKey']);
    const calls = (events[0] as unknown as { additionalEventData?: { customKeyStoreCalls?: Array<Record<string, unknown>> } })
      .additionalEventData?.customKeyStoreCalls;
    assert.equal(calls?.length, 1);
    assert.equal(calls![0]!.operation, 'GetKeyMetadata');
    assert.equal(calls![0]!.outcome, 'Success');
    assert.equal(typeof calls![0]!.latencyMs, 'number');
  });
});
