import type { Change } from './types.js';

/**
 * Carries the changes one process commits to the other processes sharing its store (the workers of one
 * node, through their primary), and theirs to it. A process that keeps cached copies of records can then
 * answer from them exactly: a write is acknowledged to its client only once every other process has dropped
 * the copies it changed, so no request that starts after the write's answer sees what it replaced.
 */
export interface ChangeRelay {
  /** Resolves once every other process has applied `changes` (or is gone). Never rejects. */
  publish(changes: readonly Change[]): Promise<void>;
  /** Calls `listener` with each batch another process publishes; that process waits until it has returned. */
  subscribe(listener: (changes: readonly Change[]) => void): void;
}
