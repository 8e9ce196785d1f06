/**
 * Trent's notion of now. In the dev posture a test can move it forward to watch a deletion window, a rotation
 * period or an import expiry pass (POST /-/admin/clock), and a reset puts it back to real time; the offset
 * lives in the store's settings so every worker and node shares it (server/admin.ts keeps this copy in step).
 * In serve it is the system clock, always.
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
