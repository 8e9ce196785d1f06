/**
 * Trent's notion of now. In the dev posture a test can move it forward (never back) to watch a deletion
 * window, a rotation period or an import expiry pass; the offset lives in the store so every worker and
 * node shares it. In serve it is the system clock, always.
 */
export class Clock {
  #offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  setOffset(ms: number): void {
    this.#offsetMs = ms;
  }
}
