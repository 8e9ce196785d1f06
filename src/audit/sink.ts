import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Appends audit events to a JSON-lines file. Events are buffered and written in batches, off the request
 * path; `flush` writes what is pending (the server flushes on shutdown).
 */
export class AuditSink {
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly path: string, intervalMs = 200) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  write(event: Record<string, unknown>): void {
    this.pending.push(JSON.stringify(event));
  }

  flush(): Promise<void> {
    if (this.pending.length === 0) return this.writing;
    const batch = this.pending.join('\n') + '\n';
    this.pending = [];
    this.writing = this.writing
      .then(() => mkdir(dirname(this.path), { recursive: true }))
      .then(() => appendFile(this.path, batch, { mode: 0o600 }))
      .catch((e: unknown) => console.error(`audit: could not write ${this.path}: ${String(e)}`));
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
