import type { KeyRef, KeyUseRecord, Store } from '../../store/types.js';
import { log } from '../../util/log.js';

const TRACKING_START_SETTING = 'usage.trackingStartMs';
const FLUSH_INTERVAL_MS = 2_000;

/**
 * Each key's last successful cryptographic use, for GetKeyLastUsage. A use is noted in memory on the request's
 * path (a map write, no I/O) and written to the store in one transaction every couple of seconds and when the
 * server stops, so a clean shutdown loses nothing and a crash loses at most the last interval's uses. This
 * process's unwritten uses are answered from memory; another worker's appear once it has written them.
 */
export class UsageTracker {
  private pending = new Map<string, KeyUseRecord>();
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  /** Records the moment tracking began, once per store: the TrackingStartDate of keys older than it. */
  async begin(now: Date): Promise<void> {
    await this.store.transaction(async (tx) => {
      if ((await tx.getSetting(TRACKING_START_SETTING)) === undefined) await tx.putSetting(TRACKING_START_SETTING, String(now.getTime()));
    });
  }

  async trackingStart(): Promise<Date> {
    const stored = await this.store.getSetting(TRACKING_START_SETTING);
    if (stored === undefined) throw new Error('usage tracking has not begun');
    return new Date(Number(stored));
  }

  note(use: KeyUseRecord): void {
    const id = idOf(use);
    const earlier = this.pending.get(id);
    if (!earlier || earlier.usedAt.getTime() <= use.usedAt.getTime()) this.pending.set(id, use);
  }

  async lastUse(ref: KeyRef): Promise<KeyUseRecord | undefined> {
    return this.pending.get(idOf(ref)) ?? this.store.getKeyLastUse(ref);
  }

  /** Writes the uses noted so far; writes never overlap, and a failed one is retried with the next. */
  flush(): Promise<void> {
    this.writing = this.writing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.store.putKeyLastUses([...batch.values()]);
      } catch (e) {
        for (const use of batch.values()) this.note(use);
        log.error(`usage tracking: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return this.writing;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

function idOf(ref: KeyRef): string {
  return `${ref.accountId}/${ref.region}/${ref.keyId}`;
}
