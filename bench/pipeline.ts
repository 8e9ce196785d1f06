/**
 * Trent's request pipeline in this process, without sockets: a signed request's raw bytes through the HTTP
 * parser, SigV4, the model, authorization (an IAM user's identity policy and the key policy), the operation
 * and the durable audit record, to the response body and the request log line, as `trent serve` runs them.
 * `--in-flight` requests are kept going at once, so audit records share commits as they do under load. Prints
 * CPU (this process's, every thread's) and wall time per request; run it under `node --cpu-prof`
 * to see the phases. What it leaves out, the network, is what bench/run.ts's node-ceiling measures.
 *
 *   node dist/bench/pipeline.js [--operation Encrypt|Decrypt|GenerateDataKey|DescribeKey|Sign] [--in-flight 16]
 *                               [--seconds 3]
 */
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { handleKmsRequest, type WireResponse } from '../src/protocol/pipeline.js';
import { AccessKeys } from '../src/server/access-keys.js';
import { createApp } from '../src/server/app.js';
import type { ChangeRelay } from '../src/store/change-relay.js';
import { loadConfig } from '../src/server/config.js';
import { LIMITS } from '../src/server/http.js';
import { RequestParser, type ParsedRequest } from '../src/server/http-parser.js';
import { prepare } from '../src/server/prepare.js';
import { createLogger, setLog } from '../src/util/log.js';
import type { Credentials } from '../src/util/sigv4.js';
import { kmsRequest } from './lean-client.js';

const { values } = parseArgs({
  options: {
    operation: { type: 'string', default: 'Encrypt' },
    'in-flight': { type: 'string', default: '16' },
    seconds: { type: 'string', default: '3' },
  },
});
const inFlight = Number(values['in-flight']);
const seconds = Number(values.seconds);

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const dataDir = mkdtempSync(join(tmpdir(), 'trent-pipeline-'));
// As `trent serve` logs: a JSON line per request, to a sink that is not a terminal.
const config = loadConfig('serve', { dataDir, port: '0', keyPool: '0', adminCredentialsFile: join(dataDir, 'admin.env') }, {});
setLog(createLogger('json', 'warn'));
await prepare(config);
// As a worker of `trent serve` is: with a change relay (here to no other process), so key records are cached.
const alone: ChangeRelay = { publish: () => Promise.resolve(), subscribe: () => undefined };
const app = await createApp(config, alone, createLogger('json', 'info', openSync('/dev/null', 'w')));
const keys = new AccessKeys(app.deps.store, app.deps.root);
const bench = await keys.create(ACCOUNT, 'bench');
await app.deps.store.transaction((tx) => tx.putInlinePolicy({
  accountId: ACCOUNT, kind: 'user', ownerName: 'bench', policyName: 'kms',
  document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
}));
const target = { host: '127.0.0.1', port: 4599, region: REGION, credentials: bench as Credentials };

/** Parses raw request bytes as a connection would. */
function parsed(bytes: Buffer): ParsedRequest {
  const parser = new RequestParser({ maxBodyBytes: LIMITS.maxBodyBytes, maxHeaderBytes: LIMITS.maxHeaderBytes });
  parser.push(bytes);
  const result = parser.next();
  if (result.kind !== 'request') throw new Error(`unparsed request: ${result.kind}`);
  return result.request;
}

/** One request through the pipeline, logged as the server logs it; throws unless it answered 200. */
async function send(bytes: Buffer): Promise<WireResponse> {
  const started = performance.now();
  const out = await handleKmsRequest(parsed(bytes), { sourceIp: '127.0.0.1', secureTransport: false, time: app.deps.clock.now() }, app.hooks);
  app.logRequest({ what: out.operation ?? '-', status: out.status, errorType: out.headers['x-amzn-errortype'], ms: performance.now() - started, facts: out.facts, sourceIp: '127.0.0.1' });
  if (out.status !== 200) throw new Error(`${out.operation}: ${out.status} ${out.body.toString()}`);
  return out;
}

const call = async (operation: string, payload: unknown) => JSON.parse((await send(kmsRequest(target, operation, payload))).body.toString()) as Record<string, string>;
const plaintext = Buffer.alloc(100, 'p').toString('base64');
const sign = values.operation === 'Sign';
const { KeyMetadata } = await call('CreateKey', sign ? { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } : {}) as unknown as { KeyMetadata: { KeyId: string } };
const KeyId = KeyMetadata.KeyId;
const payloads: Record<string, () => Promise<unknown>> = {
  Encrypt: async () => ({ KeyId, Plaintext: plaintext }),
  Decrypt: async () => ({ CiphertextBlob: (await call('Encrypt', { KeyId, Plaintext: plaintext })).CiphertextBlob }),
  GenerateDataKey: async () => ({ KeyId, KeySpec: 'AES_256' }),
  DescribeKey: async () => ({ KeyId }),
  Sign: async () => ({ KeyId, Message: Buffer.alloc(32, 'd').toString('base64'), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
};
const payload = await payloads[values.operation!]!();
// Signed once: SigV4 allows a request's signature for 15 minutes, and the verifier's work is the same each time.
const request = kmsRequest(target, values.operation!, payload);

async function run(ms: number): Promise<number> {
  let done = 0;
  const deadline = performance.now() + ms;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() < deadline) {
      await send(request);
      done++;
    }
  }));
  return done;
}

await run(1000); // warm-up: the JIT, the caches
const cpu0 = process.cpuUsage();
const started = performance.now();
const requests = await run(seconds * 1000);
const cpu = process.cpuUsage(cpu0);
const wallMs = performance.now() - started;
console.log(`${values.operation} in-process, ${inFlight} in flight: ${Math.round((1000 * requests) / wallMs).toLocaleString('en-US')} req/s, ` +
  `CPU ${((cpu.user + cpu.system) / requests).toFixed(1)} µs per request (user ${(cpu.user / requests).toFixed(1)}, system ${(cpu.system / requests).toFixed(1)})`);
await app.close();
rmSync(dataDir, { recursive: true, force: true });
