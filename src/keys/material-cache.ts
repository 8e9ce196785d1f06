import { createHash } from 'node:crypto';

/**
 * A small bounded cache of values derived from key material (parsed KeyObjects, expanded keys), so repeated
 * operations on one key skip the parsing that would otherwise dominate. Keyed by a SHA-256 of the material,
 * never the material itself, so no extra immutable copy of a secret is kept as a string.
 */
export class MaterialCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity = 512) {}

  get(material: Buffer, derive: () => T): T {
    const id = createHash('sha256').update(material).digest('base64');
    const hit = this.entries.get(id);
    if (hit !== undefined) {
      // Re-insert so eviction drops the least recently used entry (Map keeps insertion order).
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit;
    }
    const value = derive();
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(id, value);
    return value;
  }
}
