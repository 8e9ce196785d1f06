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
  /** Moves on every change: a read that started before one does not cache what it read. */
  private generation = 0;

  apply(change: Change): void {
    if (change.kind === 'key') this.records.delete(change.id);
    else if (change.kind === 'resync') this.records.clear();
    else return;
    this.generation++;
  }

  async read(ref: KeyRef, load: () => Promise<KeyRecord | undefined>): Promise<KeyRecord | undefined> {
    const id = changeId.key(ref);
    const hit = this.records.get(id);
    if (hit) return hit;
    const generation = this.generation;
    const key = await load();
    // A missing key is not remembered: CreateKey announces the key it adds, but a flood of made-up IDs would
    // only evict real ones.
    if (key && generation === this.generation) this.records.set(id, Object.freeze(key));
    return key;
  }
}
