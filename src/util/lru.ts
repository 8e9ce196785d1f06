/**
 * A map of at most `max` entries that, when full, evicts its least recently used one (Map keeps insertion
 * order: a hit is moved to the end, the first entry is the eviction candidate). One eviction per insert,
 * never a wholesale clear, so a burst of new keys costs the oldest entries only.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();
  /** The most recently used key: a hit on it is already in place (the common case of one hot key). */
  private newest: K | undefined;

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    this.newest = key;
  }

  delete(key: K): void {
    this.entries.delete(key);
    if (key === this.newest) this.newest = undefined;
  }

  clear(): void {
    this.entries.clear();
    this.newest = undefined;
  }
}
