import { randomInt } from 'node:crypto';
import { credentialsFrom, removeDir, startTrent, type RunningTrent } from '../support/trent.js';
import { KmsCaller, targetOf } from '../support/kms-caller.js';
import { Ledger } from './ledger.js';
import { verifyAfterRestart, verifyAuditTrail } from './verify.js';
import { Writer, type LoadState } from './writers.js';

export interface CrashSoakOptions {
  readonly cycles: number;
  /** Each cycle's load runs for a random time in this range (ms) before the SIGKILL. */
  readonly loadMs: readonly [number, number];
  readonly clients: number;
  readonly log: (line: string) => void;
}

export interface CrashSoakReport {
  readonly cycles: number;
  readonly acknowledged: number;
  /** Acknowledged writes lost or changed, half-made things seen after a restart, answered requests not audited. */
  readonly losses: readonly string[];
  /** Non-200 answers and dropped connections while the server was up. */
  readonly unexpected: readonly string[];
  /** Keys created whose CreateKey never answered (each found whole). */
  readonly extras: number;
}

/**
 * Crash safety under a write-heavy load: each cycle starts Trent on the same data directory, checks everything
 * acknowledged so far (verifyAfterRestart) and that every request answered so far, 200 or not, has its audit
 * record, whole (verifyAuditTrail), runs several writing clients, and SIGKILLs the whole process group at a
 * random moment. The cycles alternate between `trent serve` (SigV4 verified with the administrator key printed by
 * the first start) and `trent dev`, which see the same account and Region. A last start checks the last cycle.
 */
export async function runCrashSoak(options: CrashSoakOptions): Promise<CrashSoakReport> {
  const ledger = new Ledger();
  const losses: string[] = [];
  const unexpected: string[] = [];
  let dataDir: string | undefined;
  let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  let extras = 0;
  try {
    for (let cycle = 0; cycle <= options.cycles; cycle++) {
      const trent: RunningTrent = await startTrent({ posture: cycle % 2 === 0 ? 'serve' : 'dev', ...(dataDir ? { dataDir } : {}) });
      dataDir = trent.dataDir;
      credentials ??= credentialsFrom(trent.output());
      const target = targetOf(trent.endpoint, credentials);
      const verifiers = Array.from({ length: 8 }, () => new KmsCaller(target));
      const checked = await verifyAfterRestart(verifiers, ledger);
      for (const c of verifiers) c.close();
      losses.push(...checked.problems.map((p) => `after cycle ${cycle}: ${p}`));
      losses.push(...(await verifyAuditTrail(trent.storeArgs, ledger)).map((p) => `after cycle ${cycle}: ${p}`));
      extras = checked.extras;
      if (cycle === options.cycles) {
        await trent.stop();
        options.log(`start ${cycle + 1}: ${checked.listedKeys} keys listed (${extras} never acknowledged), ` +
          `${checked.problems.length} problems`);
        break;
      }

      const before = ledger.acknowledged;
      const state: LoadState = { killed: false, unexpected };
      const clients = Array.from({ length: options.clients }, () => new KmsCaller(target));
      const load = Promise.all(clients.map((kms) => new Writer(kms, ledger, state).run()));
      const [min, max] = options.loadMs;
      await new Promise((r) => setTimeout(r, min + randomInt(max - min + 1)));
      state.killed = true;
      await trent.stop('SIGKILL');
      await load;
      for (const c of clients) c.close();
      options.log(`cycle ${cycle + 1} (${cycle % 2 === 0 ? 'serve' : 'dev'}): ${checked.listedKeys} keys listed at start, ` +
        `${checked.problems.length} problems; ${ledger.acknowledged - before} writes acknowledged before the SIGKILL`);
    }
  } finally {
    if (dataDir) await removeDir(dataDir);
  }
  return { cycles: options.cycles, acknowledged: ledger.acknowledged, losses, unexpected, extras };
}
