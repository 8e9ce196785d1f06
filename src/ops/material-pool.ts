import { randomUUID } from 'node:crypto';
import { familyOf } from '../keys/crypto.js';
import { wrapIdentity, type RootKey } from '../keys/root-key.js';
import type { KeySpec } from '../model/types.gen.js';
import type { Store } from '../store/types.js';
import type { PoolSizes } from './pool-sizes.js';
import { log } from '../util/log.js';

/**
 * Secrets generated ahead of need for slow key specs (RSA_4096 takes about a second here), so CreateKey
 * answers in milliseconds. The pool lives in the store, wrapped under the root key like any key material,
 * so it survives restarts and is shared by every worker and node; each secret is handed out once (the
 * store's take is atomic). One process per node (worker 0) refills it in the background, one secret at a time,
 * generating on libuv's thread pool so requests are never blocked; with several nodes, the store adds a secret
 * only while its spec has room, so together they fill the pool to its size, not nodes × size. When the pool
 * is empty, CreateKey generates inline.
 */
export class MaterialPool {
  private timer: NodeJS.Timeout | undefined;
  private refilling: Promise<void> = Promise.resolve();
  private stopped = false;
  /** Whether the first fill since start has finished: the one worth telling the operator about. */
  private filledOnce = false;

  constructor(private readonly store: Store, private readonly root: RootKey, private readonly sizes: PoolSizes,
    private readonly intervalMs = 1_000) {}

  /** A fresh secret for `spec`: from the pool when it has one, generated now otherwise. */
  async secretFor(spec: KeySpec): Promise<Buffer> {
    if (this.sizes[spec]) {
      const pooled = await this.store.takePooledSecret(spec);
      if (pooled) return this.root.unwrap(wrapIdentity.pooled(pooled.id), pooled.wrapped);
    }
    return familyOf(spec).generate(spec);
  }

  start(): void {
    const tick = () => {
      this.refilling = this.refill().catch((e: unknown) => {
        log.error(`material pool: ${e instanceof Error ? e.message : String(e)}`);
      }).finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs).unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.refilling;
  }

  /** Tops every spec up to its size, smallest specs first so they are never stuck behind the slow ones. */
  private async refill(): Promise<void> {
    const first = !this.filledOnce;
    const started = Date.now();
    if (first) await this.sayWhatIsMissing();
    for (const [spec, size] of Object.entries(this.sizes) as Array<[KeySpec, number]>) {
      // Counted afresh each time: other nodes refill (and requests take) meanwhile.
      while (!this.stopped && (await this.store.countPooledSecrets(spec)) < size) {
        const id = randomUUID();
        const secret = await familyOf(spec).generate(spec);
        const pooled = { id, keySpec: spec, createdAt: new Date(), wrapped: this.root.wrap(wrapIdentity.pooled(id), secret) };
        // Refused: another node filled the last place while this one generated; that secret is dropped.
        if (!(await this.store.addPooledSecret(pooled, size))) break;
      }
    }
    if (first && !this.stopped) {
      this.filledOnce = true;
      if (Date.now() - started > 1_000) log.info(`key material pool filled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
  }

  /** A first fill can take minutes of CPU (RSA_4096): said at start, so a busy machine is explained. */
  private async sayWhatIsMissing(): Promise<void> {
    const missing: string[] = [];
    for (const [spec, size] of Object.entries(this.sizes) as Array<[KeySpec, number]>) {
      const n = size - (await this.store.countPooledSecrets(spec));
      if (n > 0) missing.push(`${n} ${spec}`);
    }
    if (missing.length) log.info(`filling the key material pool in the background: ${missing.join(', ')} to generate (CreateKey generates inline meanwhile)`);
  }
}
