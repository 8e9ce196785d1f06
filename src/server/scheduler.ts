import type { Deps } from '../ops/context.js';
import { runDueWork } from '../ops/lifecycle.js';
import { log } from '../util/log.js';

/**
 * Runs the keys' due work (deletion, rotation, expiry) in the background. `tick` may also be called
 * directly (the dev clock does, right after moving time forward, so a test sees the effect at once).
 */
export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly deps: Deps, private readonly intervalMs = 1_000, private readonly batch = 100) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass over everything due now; passes never overlap. */
  tick(): Promise<void> {
    this.running = this.running.then(() => this.pass()).catch((e: unknown) => {
      log.error(`scheduler: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    });
    return this.running;
  }

  /** One batch: a backlog larger than a batch drains over the following ticks. */
  private async pass(): Promise<void> {
    const now = this.deps.clock.now();
    for (const key of await this.deps.store.keysDue(now, this.batch)) {
      // One key's failure must not hold up the others (the failing key stays due and is retried next tick).
      try {
        await runDueWork(this.deps, key, now);
      } catch (e) {
        log.error(`scheduler: key ${key.keyId}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      }
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
