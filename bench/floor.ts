/**
 * The floor under an audited Encrypt (floor-work.ts) in this process, without sockets: CPU per request for the
 * whole of it, then for each step alone. Beside bench/pipeline.ts it tells how much of Trent's pipeline is its own
 * work, the part a change to Trent can win back; the floor itself is what no Node implementation can avoid.
 * The audit events go to a file by one write and one fdatasync every `--batch` requests.
 *
 *   node dist/bench/floor.js [--batch 16] [--seconds 3]
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FloorWork } from './floor-work.js';
import { kmsRequest } from './lean-client.js';
import type { HttpRequestParts } from '../src/util/sigv4.js';

const { values } = parseArgs({ options: { batch: { type: 'string', default: '16' }, seconds: { type: 'string', default: '3' } } });
const batch = Number(values.batch);
const seconds = Number(values.seconds);

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const work = new FloorWork(credentials, 'us-east-1');
const request = kmsRequest({ host: '127.0.0.1', port: 4599, region: 'us-east-1', credentials }, 'Encrypt',
  { KeyId: 'any', Plaintext: Buffer.alloc(100, 'p').toString('base64') });
const dir = mkdtempSync(join(tmpdir(), 'trent-floor-'));
const trail = openSync(join(dir, 'trail'), 'a');

/** The head split into headers, as node:http's parser leaves them to the floor server. */
function parseHead(bytes: Buffer): HttpRequestParts {
  const end = bytes.indexOf('\r\n\r\n');
  const lines = bytes.toString('latin1', 0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i]!.indexOf(':');
    headers[lines[i]!.slice(0, colon).toLowerCase()] = lines[i]!.slice(colon + 1).trim();
  }
  const [method = '', path = ''] = lines[0]!.split(' ');
  return { method, path, headers, body: bytes.subarray(end + 4) };
}

let events = '';
let queued = 0;
function audit(): void {
  events += work.auditEvent();
  if (++queued < batch) return;
  writeSync(trail, events);
  fdatasyncSync(trail);
  events = '';
  queued = 0;
}

/** CPU (every thread's) per call of `step`, run for `ms` after a warm-up of a fifth of that. */
function perCall(step: () => unknown, ms: number): number {
  for (const until = performance.now() + ms / 5; performance.now() < until;) step();
  const cpu0 = process.cpuUsage();
  let calls = 0;
  for (const until = performance.now() + ms; performance.now() < until; calls++) step();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / calls;
}

const parsed = parseHead(request);
const ciphertext = work.encrypt(parsed.body);
const steps: ReadonlyArray<[string, () => unknown]> = [
  ['HTTP head split', () => parseHead(request)],
  ['SigV4 verified', () => work.verify(parsed)],
  ['body parsed, plaintext sealed', () => work.encrypt(parsed.body)],
  ['response body', () => work.respond(ciphertext)],
  [`audit event, written and fdatasynced by ${batch}`, audit],
];
try {
  const total = perCall(() => {
    const req = parseHead(request);
    work.verify(req);
    audit();
    return work.respond(work.encrypt(req.body));
  }, seconds * 1000);
  console.log(`Encrypt floor in-process, audit fdatasynced every ${batch} requests: ${total.toFixed(1)} µs of CPU per request`);
  for (const [name, step] of steps) console.log(`  ${name}: ${perCall(step, (seconds * 1000) / steps.length).toFixed(1)} µs`);
} finally {
  closeSync(trail);
  rmSync(dir, { recursive: true, force: true });
}
