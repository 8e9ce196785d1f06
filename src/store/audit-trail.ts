import type { AuditQuery, AuditRecord } from './types.js';

interface Queued {
  readonly record: AuditRecord;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for audit records written on their own (requests that write nothing, and failed ones): records
 * arriving while a batch is being committed wait and go together in the next, as one transaction. Alone, a
 * record commits at once; under load, one commit (one fsync) carries every request that arrived during the
 * previous one. Each caller hears only once its record is durable, or that it is not.
 */
export class AuditBatcher {
  static readonly MAX_BATCH = 1_000;
  private queued: Queued[] = [];
  private committing = false;

  constructor(private readonly commit: (records: readonly AuditRecord[]) => Promise<void>) {}

  append(record: AuditRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ record, resolve, reject });
      if (!this.committing) {
        // Set before any await, so a record of the same tick joins this loop instead of starting another.
        this.committing = true;
        void this.commitBatches();
      }
    });
  }

  private async commitBatches(): Promise<void> {
    while (this.queued.length > 0) {
      // A SQLite commit blocks the event loop for its fsync, so requests that arrived meanwhile are still unread
      // sockets: let the loop read them (and queue their records) before the next batch is taken, or each commit
      // would carry only the few records queued before it, one fsync each.
      await new Promise((resolve) => setImmediate(resolve));
      const batch = this.queued.splice(0, AuditBatcher.MAX_BATCH);
      try {
        await this.commit(batch.map((q) => q.record));
        for (const q of batch) q.resolve();
      } catch (error) {
        for (const q of batch) q.reject(error);
      }
    }
    this.committing = false;
  }
}

/** The columns of audit_events in the order the backends' statements bind them. */
export const AUDIT_COLUMNS = 'event_id, event_time, event_name, principal, access_key_id, error_code, resources, doc';

export function auditRow(r: AuditRecord): unknown[] {
  return [r.eventId, r.eventTime.getTime(), r.eventName, r.principal, r.accessKeyId, r.errorCode, r.resources, r.doc];
}

export function auditFromRow(row: Record<string, unknown>): AuditRecord {
  return {
    eventId: row.event_id as string, eventTime: new Date(Number(row.event_time)), eventName: row.event_name as string,
    principal: row.principal as string, accessKeyId: row.access_key_id as string, errorCode: row.error_code as string,
    resources: row.resources as string, doc: row.doc as string,
  };
}

/**
 * One page of the trail matching `query`, after the record `after` in (time, ID) order: the WHERE clause and
 * its values, written once for both backends (`param(n)` spells the n-th placeholder, `?` or `$n`). A key ID
 * matches the events whose resources contain it (an ID or an ARN); LIKE's wildcards in it are escaped.
 */
export function auditPageQuery(query: AuditQuery, after: AuditRecord | undefined, limit: number,
  param: (n: number) => string): { sql: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (v: unknown): string => { values.push(v); return param(values.length); };
  const where: string[] = [];
  if (query.keyId !== undefined) where.push(`resources LIKE ${p(`%${query.keyId.replace(/[\\%_]/g, '\\$&')}%`)} ESCAPE '\\'`);
  if (query.principal !== undefined) where.push(`(principal = ${p(query.principal)} OR access_key_id = ${p(query.principal)})`);
  if (query.eventName !== undefined) where.push(`event_name = ${p(query.eventName)}`);
  if (query.errorCode !== undefined) where.push(`error_code = ${p(query.errorCode)}`);
  if (query.startTime !== undefined) where.push(`event_time >= ${p(query.startTime.getTime())}`);
  if (query.endTime !== undefined) where.push(`event_time < ${p(query.endTime.getTime())}`);
  if (after) {
    const t = after.eventTime.getTime();
    where.push(`(event_time > ${p(t)} OR (event_time = ${p(t)} AND event_id > ${p(after.eventId)}))`);
  }
  const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_events${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
               ORDER BY event_time, event_id LIMIT ${p(limit)}`;
  return { sql, values };
}
