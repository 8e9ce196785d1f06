import { requestRecord } from '../audit/event.js';
import type { AuditRecord } from '../model/audit-record.js';
import type { OperationName } from '../model/types.gen.js';
import type { ChangeRelay } from '../store/change-relay.js';
import type { Deps, Handler, OpContext } from '../ops/context.js';
import { authorizeAccountAction } from '../ops/account-actions.js';
import { HANDLERS } from '../ops/index.js';
import { chargeRequest, RequestRates } from '../ops/quotas/request-rates.js';
import { noteKeyUses } from '../ops/usage/note-use.js';
import { UsageTracker } from '../ops/usage/tracker.js';
import type { IamOperationName } from '../model/iam.gen.js';
import type { StsOperationName } from '../model/sts.gen.js';
import { authorizeIam } from '../ops/iam/authorize.js';
import { IAM_HANDLERS, STS_HANDLERS } from '../ops/iam/index.js';
import type { AuditNotes, RequestFacts, RequestOutcome } from '../protocol/pipeline.js';
import type { QueryHooks, QueryRequestFacts } from '../protocol/query/pipeline.js';
import { Clock } from '../util/clock.js';
import { log as processLog, type Logger } from '../util/log.js';
import { AccessKeys } from './access-keys.js';
import { syncDevClock } from './admin.js';
import { devAuthenticator, serveAuthenticator } from './authenticators.js';
import { StoredIdentities } from './identities.js';
import { logFormatOf, type Config } from './config.js';
import { openStore } from './open-store.js';
import { Metrics } from './metrics.js';
import { requestLog, type RequestLog } from './request-log.js';
import { loadRootKey } from './root-key-source.js';
import { Scheduler } from './scheduler.js';
import { MaterialPool } from '../ops/material-pool.js';
import { forgetUnwrappedMaterial } from '../ops/material.js';
import { XksClient } from '../xks/client.js';
import { Pkcs11Tokens } from '../pkcs11/tokens.js';

/** A running Trent without its HTTP listener: the store, the root key, the pipeline's hooks. */
export interface App {
  readonly config: Config;
  readonly deps: Deps;
  readonly accessKeys: AccessKeys;
  readonly hooks: QueryHooks;
  readonly scheduler: Scheduler;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly logRequest: RequestLog;
  /** Starts the background work one process per node does: due key work, refilling the material pool. */
  startBackgroundWork(): void;
  close(): Promise<void>;
}


/**
 * The composition root: every dependency is made here and nowhere else. `relay` connects it to the node's
 * other workers (server/worker-relay.ts); `log` is the process's logger unless the app has its own (in-process.ts).
 */
export async function createApp(config: Config, relay?: ChangeRelay, log: Logger = processLog): Promise<App> {
  const store = openStore(config, relay);
  const root = await loadRootKey(store, config.dataDir);
  const clock = new Clock();
  const usage = new UsageTracker(store);
  const pool = new MaterialPool(store, root, config.keyPool);
  const xks = new XksClient(config.xks);
  const hsm = new Pkcs11Tokens(config.cloudHsmTokens);
  const deps: Deps = {
    store, root, clock, usage, pool, xks, hsm,
    identities: new StoredIdentities(store),
    quotas: config.quotas,
    // Each worker enforces its share of every rate: see RequestRates.
    rates: new RequestRates(config.quotas.rates, 1 / config.workers),
    settings: { posture: config.posture, sm2Everywhere: config.sm2Everywhere, enforceKeyPolicies: config.enforcePolicies },
  };
  // A dev clock moved forward before this start (or by another worker) stays moved.
  await syncDevClock({ config, deps });
  // …and one moved by another worker or node is followed at once, so this scheduler sees the same time.
  store.onChange((change) => {
    if (change.kind === 'setting' || change.kind === 'resync') {
      syncDevClock({ config, deps }).catch((e: unknown) => log.error(`dev clock: ${String(e)}`));
    }
    if (change.kind === 'resync') forgetUnwrappedMaterial();
  });
  await usage.begin(clock.now());
  usage.start();
  const accessKeys = new AccessKeys(store, root);
  const scheduler = new Scheduler(deps);
  const metrics = new Metrics(config, store);
  const authenticate = config.posture === 'dev' ? devAuthenticator(config, accessKeys, clock) : serveAuthenticator(config, accessKeys, clock);

  /** An operation's context, KMS's or IAM's and STS's alike. */
  const contextFor = (request: RequestFacts | QueryRequestFacts, notes: AuditNotes): OpContext => {
    const { operation, caller, requestId, sourceIp, secureTransport } = request;
    return {
      operation, caller, requestId, now: clock.now(), deps, input: request.input as Record<string, unknown>, sourceIp, secureTransport,
      keysUsed: [], keysReached: notes.keys, ratesCharged: [], externalCalls: notes.externalCalls,
      // The request's record is the transaction's last write: it commits with the request's writes or not at all.
      async transaction(fn) {
        const value = await store.transaction(async (tx) => {
          const result = await fn(tx);
          await tx.insertAuditRecords([auditRecordOf(succeeded(request), notes)]);
          return result;
        });
        notes.recorded = true;
        return value;
      },
    };
  };

  const hooks: QueryHooks = {
    authenticate,
    // Bounded while decoding, before a policy condition, the audit or the cipher ever walks it.
    decodeLimits: { mapBytes: { EncryptionContextType: config.quotas.encryptionContextBytes } },
    async invoke(request, notes) {
      const { operation } = request;
      const ctx = contextFor(request, notes);
      chargeRequest(ctx, operation);
      await authorizeAccountAction(ctx, operation);
      const output = await (HANDLERS[operation] as Handler<OperationName>)(request.input as never, ctx);
      // GetKeyLastUsage must not count a use the trail does not have.
      notes.afterRecord = () => noteKeyUses(usage, operation, ctx);
      return output;
    },
    async invokeQuery(request, notes) {
      const ctx = contextFor(request, notes);
      if (request.service === 'sts') {
        return (STS_HANDLERS[request.operation as StsOperationName] as (input: unknown, ctx: OpContext) => Promise<unknown>)(request.input, ctx);
      }
      const operation = request.operation as IamOperationName;
      await authorizeIam(operation, request.input as never, ctx);
      return (IAM_HANDLERS[operation] as (input: unknown, ctx: OpContext) => Promise<unknown>)(request.input, ctx);
    },
    // A request that wrote nothing (reads, and every failure: its transaction rolled back) is recorded on its
    // own, grouped with the other requests' records into one commit (store/audit-trail.ts).
    async record(outcome, notes) {
      if (!notes.recorded) await store.appendAudit(auditRecordOf(outcome, notes));
      if (!outcome.error) notes.afterRecord?.();
    },
    onInternalError(error, requestId) {
      // The stack, never the request: inputs may hold plaintext.
      const what = error instanceof Error ? error.stack ?? error.message : String(error);
      log.error({ requestId }, `request failed: ${what}`);
    },
  };

  return {
    config, deps, accessKeys, hooks, scheduler, metrics, log,
    logRequest: requestLog(logFormatOf(config), log),
    startBackgroundWork() {
      scheduler.start();
      pool.start();
    },
    async close() {
      await scheduler.stop();
      await pool.stop();
      await usage.stop();
      xks.close();
      hsm.close();
      await store.close();
    },
  };
}

function succeeded(request: RequestFacts | QueryRequestFacts): RequestOutcome {
  return { ...request, triedAccessKeyId: undefined, error: undefined };
}

function auditRecordOf(o: RequestOutcome, notes: AuditNotes): AuditRecord {
  return requestRecord({
    requestId: o.requestId, service: o.service, operation: o.operation, caller: o.caller, triedAccessKeyId: o.triedAccessKeyId,
    input: o.input, resources: notes.keys, errorCode: o.error?.code, errorMessage: o.error?.message,
    sourceIp: o.sourceIp, userAgent: o.userAgent, time: o.time, externalCalls: notes.externalCalls,
  });
}
