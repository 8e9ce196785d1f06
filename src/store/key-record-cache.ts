import { LruMap } from '../util/lru.js';
import { changeId, type Change, type KeyRecord, type KeyRef } from './types.js';

/**
 * Key records read recently, for a store that hears of every change to them before the change is answered
 * (sqlite.ts with a relay). The data plane reads a key on every request; this spares it the read.
 *
 * Records are frozen: callers share one object, and a caller that changed it in place would change what the
 * next request reads (writes go through a transaction, which reads its own copy).
 */
export class KeyRecordCache {
  static readonly ENTRIES = 5_000;
  private readonly records = new LruMap<string, KeyRecord>(KeyRecordCache.ENTRIES);
  /**
   * Keys read once and not cached: a key is cached on its second read while it is listed here. Requests spread
   * over many more keys than the cache holds (a million keys read at random) would otherwise evict an entry per
   * read, and that churn (records promoted to the old generation, then collected) cost more than the reads it
   * saved: 8k instead of 12k DescribeKey/s, 30 MB more resident, measured with bench/scale.ts.
   */
  private seenOnce = new Set<string>();
  /** Moves on every change: a read that started before one does not cache what it read. */
  private generation = 0;

  apply(change: Change): void {
    if (change.kind === 'key') this.records.delete(change.id);
    else if (change.kind === 'resync') this.records.clear();
    else return;
    this.generation++;
  }

  private remember(id: string): void {
    // Emptied when full rather than kept in order: it only has to tell a key read again soon from one that is not.
    if (this.seenOnce.size >= 2 * KeyRecordCache.ENTRIES) this.seenOnce = new Set();
    this.seenOnce.add(id);
  }

  async read(ref: KeyRef, load: () => Promise<KeyRecord | undefined>): Promise<KeyRecord | undefined> {
    const id = changeId.key(ref);
    const hit = this.records.get(id);
    if (hit) return hit;
    const generation = this.generation;
    const key = await load();
    // A missing key is not remembered: CreateKey announces the key it adds, but a flood of made-up IDs would
    // only evict real ones.
    if (key && generation === this.generation) {
      if (this.seenOnce.delete(id)) this.records.set(id, Object.freeze(key));
      else this.remember(id);
    }
    return key;
  }
}
