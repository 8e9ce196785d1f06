import { LIMITS } from '../../src/server/http.js';
import { KmsCaller, targetOf } from '../support/kms-caller.js';
import type { RunningTrent } from '../support/trent.js';
import { HostileRequests } from './hostile.js';
import { ModelValues, type KnownIds } from './model-values.js';
import { sampleGroup } from './process-tree.js';
import { Random } from './random.js';
import { printable, sendRaw, type Endpoint, type RawAnswer, type RawRequest } from './raw-http.js';
import { slowSender, type SlowSenderResult } from './slow-senders.js';

export interface FuzzOptions {
  readonly trent: RunningTrent;
  readonly posture: 'dev' | 'serve';
  /** The serve posture's administrator key; in dev requests go unsigned. */
  readonly credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  readonly seconds: number;
  readonly seed: number;
  /** Requests in flight at once. */
  readonly concurrency: number;
}

export interface FuzzReport {
  readonly posture: string;
  readonly seed: number;
  readonly requests: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** Every way the server failed: a 5xx (with the request, minimised), a crash, unbounded memory, a slow sender kept. */
  readonly failures: readonly string[];
  readonly peakRssBytes: number;
  readonly slowSenders: readonly SlowSenderResult[];
}

/** Per worker (and for the primary): well above what a healthy Trent uses under this load. */
export const RSS_LIMIT_BYTES = 300 * 1024 * 1024;

/**
 * Sends hostile requests to a running Trent over raw sockets for `seconds`, `concurrency` at a time, while watching
 * its process group: no 5xx for any client mistake, no process dying (its pids stay the same and the primary never
 * reports a worker exited), resident memory bounded, slow senders cut off by the header timeout, and a valid
 * request still served at the end.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { trent } = options;
  const url = new URL(trent.endpoint);
  const endpoint: Endpoint = { host: url.hostname, port: Number(url.port), credentials: options.credentials };
  const kms = new KmsCaller(targetOf(trent.endpoint, options.credentials ?? { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }));
  const random = new Random(options.seed);
  const requests = new HostileRequests(random, endpoint, new ModelValues(random, await makeKnownIds(kms)));
  const failures: string[] = [];
  const byStatus: Record<string, number> = {};
  let sent = 0;

  let pids = sampleGroup(trent.pid).map((p) => p.pid).join(',');
  let peakRssBytes = 0;
  const watch = () => {
    const samples = sampleGroup(trent.pid);
    for (const s of samples) peakRssBytes = Math.max(peakRssBytes, s.rssBytes);
    const now = samples.map((p) => p.pid).join(',');
    if (now !== pids) failures.push(`the server's processes changed from ${pids} to ${now}`);
    pids = now;
  };
  const watcher = setInterval(watch, 250);

  const slow = runSlowSenders(endpoint, options.seconds);
  const deadline = Date.now() + options.seconds * 1000;
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    while (Date.now() < deadline) {
      const request = requests.next();
      const answer = await sendRaw(endpoint.host, endpoint.port, request);
      sent++;
      const status = request.hangUp ? 'hung up' : String(answer.status ?? 'no answer');
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (answer.status !== undefined && answer.status >= 500) failures.push(await describe5xx(request, answer, requests, endpoint));
    }
  }));

  const slowSenders = await slow;
  for (const s of slowSenders) {
    if (s.closedAfterMs === undefined || s.closedAfterMs > s.limitMs + 2_500) {
      failures.push(`${s.label}: the server kept the connection ${s.closedAfterMs ?? 'open'} ms (limit ${s.limitMs} ms)`);
    }
  }
  clearInterval(watcher);
  watch();
  if (peakRssBytes > RSS_LIMIT_BYTES) failures.push(`a process reached ${mib(peakRssBytes)} MiB resident (limit ${mib(RSS_LIMIT_BYTES)})`);
  for (const line of trent.output().split('\n')) {
    if (/exited|failed|Error/.test(line)) failures.push(`server output: ${line}`);
  }
  try {
    const created = await kms.ok('CreateKey', { Description: 'after the fuzz' });
    await kms.ok('Encrypt', { KeyId: (created.KeyMetadata as { KeyId: string }).KeyId, Plaintext: 'AAEC' });
  } catch (e) {
    failures.push(`a valid request after the fuzz failed: ${String(e)}`);
  }
  kms.close();
  return { posture: options.posture, seed: options.seed, requests: sent, byStatus, failures, peakRssBytes, slowSenders };
}

export function mib(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

/** Keys of several kinds and aliases to them, so that generated inputs reach the handlers' deeper paths. */
async function makeKnownIds(kms: KmsCaller): Promise<KnownIds> {
  const specs = [
    {}, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' },
    { KeySpec: 'ML_DSA_44', KeyUsage: 'SIGN_VERIFY' },
  ];
  const keyIds: string[] = [];
  const aliasNames: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const metadata = (await kms.ok('CreateKey', spec)).KeyMetadata as { KeyId: string; Arn: string };
    const alias = `alias/fuzz-known-${i}`;
    await kms.ok('CreateAlias', { AliasName: alias, TargetKeyId: metadata.KeyId });
    keyIds.push(metadata.KeyId, metadata.Arn);
    aliasNames.push(alias);
  }
  return { keyIds, aliasNames };
}

/** The 5xx and the request that caused it, with members of a model input removed while the 5xx persists. */
async function describe5xx(request: RawRequest, answer: RawAnswer, requests: HostileRequests, endpoint: Endpoint): Promise<string> {
  let smallest = request;
  if (request.input) {
    const value = { ...request.input.value };
    for (const member of Object.keys(value)) {
      const without = { ...value };
      delete without[member];
      const candidate = requests.modelRequest(request.input.operation, without);
      const again = await sendRaw(endpoint.host, endpoint.port, candidate);
      if (again.status !== undefined && again.status >= 500) {
        delete value[member];
        smallest = candidate;
      }
    }
  }
  return `${answer.status} ${answer.body.toString('utf8').slice(0, 300)} for ${request.label}:\n${printable(smallest.bytes)}`;
}

interface SlowProbe extends SlowSenderResult {
  readonly limitMs: number;
}

/** Slowloris on the headers always; on the body too when the run is long enough to see the request timeout. */
async function runSlowSenders(endpoint: Endpoint, seconds: number): Promise<SlowProbe[]> {
  const { host, port } = endpoint;
  const headLimit = LIMITS.headersTimeoutMs;
  const probes: Promise<SlowProbe>[] = [
    slowSender(host, port, 'a header byte a second', `POST / HTTP/1.1\r\nhost: ${host}\r\nx-slow: `, 'abcdefgh', headLimit + 10_000)
      .then((r) => ({ ...r, limitMs: headLimit })),
  ];
  if (seconds * 1000 >= LIMITS.requestTimeoutMs + 5_000) {
    const head = `POST / HTTP/1.1\r\nhost: ${host}\r\nx-amz-target: TrentService.ListKeys\r\ncontent-length: 1000\r\n\r\n`;
    probes.push(slowSender(host, port, 'a body byte a second', head, ' ', LIMITS.requestTimeoutMs + 10_000)
      .then((r) => ({ ...r, limitMs: LIMITS.requestTimeoutMs })));
  }
  return Promise.all(probes);
}
