import { join } from 'node:path';
import { auditEvent } from '../audit/event.js';
import { AuditSink } from '../audit/sink.js';
import type { OperationName } from '../model/types.gen.js';
import type { ChangeRelay } from '../store/change-relay.js';
import type { Deps, Handler, OpContext } from '../ops/context.js';
import { HANDLERS } from '../ops/index.js';
import { chargeRequest, RequestRates } from '../ops/quotas/request-rates.js';
import { noteKeyUses } from '../ops/usage/note-use.js';
import { UsageTracker } from '../ops/usage/tracker.js';
import type { PipelineHooks } from '../protocol/pipeline.js';
import { Clock } from '../util/clock.js';
import { AccessKeys } from './access-keys.js';
import { syncDevClock } from './admin.js';
import { devAuthenticator, serveAuthenticator } from './authenticators.js';
import type { Config } from './config.js';
import { openStore } from './open-store.js';
import { Metrics } from './metrics.js';
import { loadRootKey } from './root-key-source.js';
import { Scheduler } from './scheduler.js';
import { MaterialPool } from '../ops/material-pool.js';
import { forgetUnwrappedMaterial } from '../ops/material.js';

/** A running Trent without its HTTP listener: the store, the root key, the pipeline's hooks. */
export interface App {
  readonly config: Config;
  readonly deps: Deps;
  readonly accessKeys: AccessKeys;
  readonly hooks: PipelineHooks;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  /** Starts the background work one process per node does: due key work, refilling the material pool. */
  startBackgroundWork(): void;
  close(): Promise<void>;
}


/** The composition root: every dependency is made here and nowhere else. */
/**
 * `workerIndex` names the worker's own audit file, so workers never interleave their batches in one file;
 * `relay` connects it to the node's other workers (server/worker-relay.ts).
 */
export async function createApp(config: Config, workerIndex = 0, relay?: ChangeRelay): Promise<App> {
  const store = openStore(config, relay);
  const root = await loadRootKey(store, config.dataDir);
  const clock = new Clock();
  const usage = new UsageTracker(store);
  const pool = new MaterialPool(store, root, config.keyPool);
  const deps: Deps = {
    store, root, clock, usage, pool,
    quotas: config.quotas,
    // Each worker enforces its share of every rate: see RequestRates.
    rates: new RequestRates(config.quotas.rates, 1 / config.workers),
    settings: { posture: config.posture, sm2Everywhere: config.sm2Everywhere, enforceKeyPolicies: config.posture === 'serve' },
  };
  // A dev clock moved forward before this start (or by another worker) stays moved.
  await syncDevClock({ config, deps });
  // …and one moved by another worker or node is followed at once, so this scheduler sees the same time.
  store.onChange((change) => {
    if (change.kind === 'setting' || change.kind === 'resync') {
      syncDevClock({ config, deps }).catch((e: unknown) => console.error(`dev clock: ${String(e)}`));
    }
    if (change.kind === 'resync') forgetUnwrappedMaterial();
  });
  await usage.begin(clock.now());
  usage.start();
  const accessKeys = new AccessKeys(store, root);
  const audit = new AuditSink(join(config.dataDir, 'audit', `trent-audit-w${workerIndex}.jsonl`));
  const scheduler = new Scheduler(deps);
  const metrics = new Metrics(config, store);
  const authenticate = config.posture === 'dev' ? devAuthenticator(config) : serveAuthenticator(config, accessKeys, clock);

  const hooks: PipelineHooks = {
    authenticate,
    // Bounded while decoding, before a policy condition, the audit or the cipher ever walks it.
    decodeLimits: { mapBytes: { EncryptionContextType: config.quotas.encryptionContextBytes } },
    async invoke(op, input, caller, requestId, { sourceIp, secureTransport }) {
      const ctx: OpContext = {
        caller, requestId, now: clock.now(), deps, input: input as Record<string, unknown>, sourceIp, secureTransport, keysUsed: [],
        ratesCharged: [],
      };
      chargeRequest(ctx, op);
      const output = await (HANDLERS[op] as Handler<OperationName>)(input as never, ctx);
      noteKeyUses(usage, op, ctx);
      return output;
    },
    record(o) {
      audit.write(auditEvent({
        requestId: o.requestId, operation: o.operation, caller: o.caller, input: o.input, time: o.time,
        errorCode: o.error?.type, errorMessage: o.error?.message, sourceIp: o.sourceIp, userAgent: o.userAgent,
      }));
    },
    onInternalError(error, requestId) {
      // The stack, never the request: inputs may hold plaintext.
      const what = error instanceof Error ? error.stack ?? error.message : String(error);
      console.error(`request ${requestId} failed: ${what}`);
    },
  };

  return {
    config, deps, accessKeys, hooks, scheduler, metrics,
    startBackgroundWork() {
      scheduler.start();
      pool.start();
    },
    async close() {
      await scheduler.stop();
      await pool.stop();
      await usage.stop();
      await audit.close();
      await store.close();
    },
  };
}
