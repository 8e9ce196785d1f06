/**
 * Microseconds per request by phase, from a V8 CPU profile of bench/pipeline.ts (`node --cpu-prof`): each
 * sample goes to the first phase, in PHASES order, that a function on its stack belongs to. BENCHMARKS.md's
 * phase table comes from it.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/pipeline.js --seconds 4
 *   node dist/bench/profile-phases.js /tmp/prof/CPU….cpuprofile REQUESTS
 *
 * REQUESTS: how many requests the profiled process handled (pipeline.js's rate times its seconds, warm-up's one
 * included).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A phase: the functions that are its own, or any named function of a file whose path holds `file`. */
const PHASES: ReadonlyArray<{ readonly name: string; readonly functions: ReadonlySet<string>; readonly file?: string }> = [
  { name: 'request log line', functions: new Set(['logRequest', 'LOG', 'actualWrite']) },
  { name: 'audit: record built', functions: new Set(['requestRecord', 'auditRecordOf', 'requestEvent', 'redactParameters']) },
  { name: 'audit: batch committed, WAL fsynced', functions: new Set(['commitOnce', 'commitBatch', 'commitBatches', 'syncWal', 'insertAuditRecords']), file: 'store/' },
  { name: 'SigV4 verification', functions: new Set(['verifySignature', 'parseAuthorization', 'computeSignature', 'canonicalRequest']), file: 'authenticat' },
  { name: 'authorization', functions: new Set(['keyAccessVerdict', 'authorize', 'decideAccess', 'evaluatePolicy', 'callerIdentityPolicies']), file: 'policy/' },
  { name: 'key lookup', functions: new Set(['resolveKey', 'getKey']), file: 'resolve' },
  { name: 'cryptography', functions: new Set(['sealUnder', 'seal', 'open', 'openUnder', 'messageKey']), file: 'keys/' },
  { name: 'model decode and encode', functions: new Set(['decodeShape', 'encodeOutput', 'parseBody', 'reply']), file: 'protocol/decode' },
  { name: 'HTTP parse', functions: new Set(['parseFields', 'next']), file: 'http-parser' },
];
const OWN = new Set(['(idle)', '(garbage collector)', '(program)']);

const [path, requests] = [process.argv[2], Number(process.argv[3])];
if (!path || !(requests > 0)) {
  console.error('usage: node dist/bench/profile-phases.js PROFILE.cpuprofile REQUESTS');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const phaseOf = (id: number): string => {
  const own = byId.get(id)!.callFrame.functionName;
  if (OWN.has(own)) return own;
  const stack: Array<ProfileNode['callFrame']> = [];
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
  const phase = PHASES.find((p) => stack.some((f) => p.functions.has(f.functionName)
    || (p.file !== undefined && f.url.includes(p.file) && f.functionName !== '')));
  return phase?.name ?? 'other JavaScript and runtime (promises, buffers, timers)';
};

const totals = new Map<string, number>();
profile.samples.forEach((id, i) => {
  const phase = phaseOf(id);
  totals.set(phase, (totals.get(phase) ?? 0) + profile.timeDeltas[i]!);
});
totals.delete('(idle)');
for (const [name, us] of [...totals].sort((a, b) => b[1] - a[1])) console.log(`| ${name} | ${(us / requests).toFixed(1)} |`);
