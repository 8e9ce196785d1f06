import type { Change, ChangeListener } from './types.js';
import { log } from '../util/log.js';

/** The listeners of one store: each change goes to every listener; one that throws does not stop the rest. */
export class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => { this.listeners.delete(listener); };
  }

  emit(change: Change): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (e) {
        log.error(`change listener failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      }
    }
  }
}

/**
 * The changes one transaction makes, each once (ten tags put on a key are one change of that key). Emitted
 * after COMMIT, so a listener that re-reads sees the write; dropped on ROLLBACK.
 */
export class ChangeBatch {
  private readonly changes = new Map<string, Change>();

  add(change: Change): void {
    this.changes.set(change.kind === 'resync' ? 'resync' : `${change.kind}:${change.id}`, change);
  }

  /** A point to roll back to (a savepoint's): the changes noted so far. */
  mark(): ReadonlySet<string> {
    return new Set(this.changes.keys());
  }

  /** Forgets the changes noted since `mark`, as the savepoint's rollback forgets the writes. */
  rollbackTo(mark: ReadonlySet<string>): void {
    for (const key of [...this.changes.keys()]) if (!mark.has(key)) this.changes.delete(key);
  }

  /** The changes so far, and an empty batch again. */
  drain(): Change[] {
    const all = [...this.changes.values()];
    this.changes.clear();
    return all;
  }
}
