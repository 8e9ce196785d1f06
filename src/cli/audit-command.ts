import { once } from 'node:events';
import type { Config } from '../server/config.js';
import { openStore } from '../server/open-store.js';
import type { AuditQuery } from '../store/types.js';

/** The filters of `trent audit` as its flags give them: the store's query, with times as written (ISO 8601 or epoch seconds). */
export type AuditFlags = { readonly [K in keyof AuditQuery]?: string | undefined };

/**
 * `trent audit`: the trail, oldest first, one CloudTrail event per line, as stored. It reads the store (every
 * node's trail, on PostgreSQL), so it runs beside serving servers.
 */
export async function auditCommand(config: Config, flags: AuditFlags): Promise<number> {
  const query: AuditQuery = {
    keyId: flags.keyId, principal: flags.principal, eventName: flags.eventName, errorCode: flags.errorCode,
    startTime: timeOf('--start-time', flags.startTime), endTime: timeOf('--end-time', flags.endTime),
  };
  const store = openStore(config);
  try {
    for await (const record of store.readAudit(query)) {
      if (!process.stdout.write(`${record.doc}\n`)) await once(process.stdout, 'drain');
    }
    return 0;
  } finally {
    await store.close();
  }
}

/** An ISO 8601 time (2025-01-01, 2025-01-01T12:00:00Z) or epoch seconds, as the AWS CLI takes times. */
function timeOf(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = /^\d+$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(time.getTime())) throw new Error(`${flag} must be an ISO 8601 time or epoch seconds, not '${value}'`);
  return time;
}
