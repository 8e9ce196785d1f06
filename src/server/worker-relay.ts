import type { Worker } from 'node:cluster';
import type { ChangeRelay } from '../store/change-relay.js';
import type { Change } from '../store/types.js';
import { log } from '../util/log.js';

/**
 * The change relay of one node's workers (store/change-relay.ts), over the cluster's IPC channels: a worker
 * publishes to the primary, which hands the batch to every other worker and answers once each has applied it.
 *
 *   worker A ──publish──▶ primary ──apply──▶ worker B, C…
 *   worker A ◀─published── primary ◀─applied── worker B, C…
 */
type RelayMessage =
  | { readonly relay: 'ready' }
  | { readonly relay: 'publish' | 'apply'; readonly id: number; readonly changes: readonly Change[] }
  | { readonly relay: 'applied' | 'published'; readonly id: number };

function isRelayMessage(m: unknown): m is RelayMessage {
  return typeof m === 'object' && m !== null && 'relay' in m;
}

/**
 * The worker's side. Made first thing in a worker, before it can read anything it might cache, so that the
 * primary starts handing it changes ('ready') no later than it starts caching.
 */
export function workerRelay(): ChangeRelay {
  const listeners: Array<(changes: readonly Change[]) => void> = [];
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  // With a callback, a send on a closed channel (the primary gone: the worker is exiting) is not an 'error' event.
  const send = (m: RelayMessage) => process.send?.(m, undefined, {}, () => undefined);
  process.on('message', (m: unknown) => {
    if (!isRelayMessage(m)) return;
    if (m.relay === 'apply') {
      for (const listener of listeners) listener(m.changes);
      send({ relay: 'applied', id: m.id });
    } else if (m.relay === 'published') {
      waiting.get(m.id)?.();
      waiting.delete(m.id);
    }
  });
  send({ relay: 'ready' });
  return {
    publish(changes) {
      if (!process.send) return Promise.resolve();
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        send({ relay: 'publish', id, changes });
      });
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}

/** A batch handed to other workers, and those that have not applied it yet. */
interface Delivery {
  readonly from: Worker;
  readonly id: number;
  readonly pending: Set<Worker>;
  readonly timer: NodeJS.Timeout;
}

/**
 * The primary's side: it keeps no state of its own beyond the deliveries in flight. A worker that has not
 * applied a batch within APPLY_TIMEOUT_MS is stuck (its event loop has not turned in that long: a busy worker
 * applies a batch within milliseconds), and its cache can no longer be trusted: it is killed (and replaced,
 * empty, by the primary's usual restart). Meanwhile the write that sent the batch waits, which is what keeps
 * every answered write visible to every worker.
 */
export class PrimaryRelay {
  static readonly APPLY_TIMEOUT_MS = 30_000;
  private readonly ready = new Set<Worker>();
  private readonly deliveries = new Map<number, Delivery>();
  private nextId = 0;

  /** Follows `worker`'s relay messages from its start until it exits. */
  add(worker: Worker): void {
    worker.on('message', (m: unknown) => {
      if (!isRelayMessage(m)) return;
      if (m.relay === 'ready') this.ready.add(worker);
      else if (m.relay === 'publish') this.deliver(worker, m.id, m.changes);
      else if (m.relay === 'applied') this.applied(worker, m.id);
    });
    worker.on('exit', () => {
      this.ready.delete(worker);
      for (const [id] of this.deliveries) this.applied(worker, id);
    });
  }

  private deliver(from: Worker, fromId: number, changes: readonly Change[]): void {
    const targets = [...this.ready].filter((w) => w !== from && !w.isDead());
    if (targets.length === 0) {
      sendTo(from, { relay: 'published', id: fromId });
      return;
    }
    const id = this.nextId++;
    const timer = setTimeout(() => {
      for (const w of this.deliveries.get(id)?.pending ?? []) {
        log.warn(`worker ${w.id} did not apply a change within ${PrimaryRelay.APPLY_TIMEOUT_MS} ms; replacing it`);
        w.process.kill('SIGKILL');
      }
    }, PrimaryRelay.APPLY_TIMEOUT_MS);
    timer.unref();
    this.deliveries.set(id, { from, id: fromId, pending: new Set(targets), timer });
    for (const w of targets) sendTo(w, { relay: 'apply', id, changes });
  }

  private applied(worker: Worker, id: number): void {
    const d = this.deliveries.get(id);
    if (!d?.pending.delete(worker) || d.pending.size > 0) return;
    clearTimeout(d.timer);
    this.deliveries.delete(id);
    if (!d.from.isDead()) sendTo(d.from, { relay: 'published', id: d.id });
  }
}

function sendTo(worker: Worker, m: RelayMessage): void {
  // A worker that exits meanwhile is cleaned up by its 'exit' handler; a failed send is not an error here.
  if (!worker.isDead()) worker.send(m, (e: Error | null) => { if (e) log.error(`relay to worker ${worker.id}: ${e.message}`); });
}
