import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { credentialsFrom, useTrent } from '../support/trent.js';

/** The value of the series `name{labels}` in a Prometheus text exposition (0 when absent). */
function valueOf(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

for (const posture of ['dev', 'serve'] as const) {
  describe(`health and metrics (${posture})`, () => {
    const trent = useTrent({ posture, args: ['--workers', '2'], env: { TRENT_KEY_POOL: 'RSA_2048=1' } });

    test('GET /-/health is 200 with the store reachable and the root key loaded', async () => {
      const res = await fetch(`${trent().endpoint}/-/health`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { status: 'ok', store: 'ok', rootKey: 'loaded' });
    });

    test('GET /-/metrics counts every worker\'s requests, by operation and outcome, and names no key or caller', async () => {
      const credentials = posture === 'serve' ? credentialsFrom(trent().output()) : undefined;
      const { KeyMetadata } = await trent.client(credentials).send(new CreateKeyCommand({}));
      // A client per call: new connections, which the primary hands to the workers in turn.
      for (let i = 0; i < 6; i++) {
        await trent.client(credentials).send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('m') }));
      }
      const wrong = new KMSClient({ endpoint: trent().endpoint, region: 'us-west-2', maxAttempts: 1,
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' } });
      await wrong.send(new EncryptCommand({ KeyId: 'alias/nope', Plaintext: Buffer.from('m') })).catch(() => undefined);

      const res = await fetch(`${trent().endpoint}/-/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      assert.equal(valueOf(text, 'trent_requests_total{operation="Encrypt",outcome="ok"}'), 6);
      assert.equal(valueOf(text, 'trent_request_duration_seconds_count{operation="Encrypt"}'), 7);
      if (posture === 'serve') assert.equal(valueOf(text, 'trent_requests_total{operation="Encrypt",outcome="UnrecognizedClientException"}'), 1);
      assert.equal(valueOf(text, 'trent_workers'), 2);
      assert.ok(valueOf(text, 'trent_store_commit_duration_seconds_count') >= 1);
      assert.equal(valueOf(text, 'trent_material_pool_target{key_spec="RSA_2048"}'), 1);
      assert.match(text, /^trent_material_pool_secrets\{key_spec="RSA_2048"\} [01]$/m);
      assert.doesNotMatch(text, new RegExp(`${KeyMetadata!.KeyId}|AKIA|111122223333|arn:`));
    });

    test('an HTTP request refused before it is read is counted, by status', async () => {
      const { hostname, port } = new URL(trent().endpoint);
      const { connect } = await import('node:net');
      await new Promise<void>((resolve) => {
        const socket = connect({ host: hostname, port: Number(port) }, () => socket.end('GARBAGE\r\n\r\n'));
        socket.on('close', () => resolve());
        socket.resume();
      });
      const text = await (await fetch(`${trent().endpoint}/-/metrics`)).text();
      assert.equal(valueOf(text, 'trent_http_refused_total{status="400"}'), 1);
    });
  });
}
