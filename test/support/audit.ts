import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO } from './trent.js';

/** A CloudTrail-shaped event as `trent audit` prints it (the fields the tests read). */
export interface TrailEvent {
  readonly eventName: string;
  readonly eventSource: string;
  readonly eventType: string;
  readonly eventID: string;
  readonly requestID?: string;
  readonly errorCode?: string;
  readonly userIdentity: { readonly accessKeyId?: string; readonly accountId?: string; readonly arn?: string; readonly invokedBy?: string };
  readonly requestParameters: Record<string, unknown> | null;
  readonly resources: ReadonlyArray<{ readonly ARN: string }>;
  readonly serviceEventDetails?: Record<string, unknown>;
}

/**
 * The trail of the store `storeArgs` point at, read with `trent audit` and the given filters: its lines as
 * printed, and each parsed (a line that is not one whole JSON event throws).
 */
export async function readTrail(storeArgs: readonly string[], filters: readonly string[] = []): Promise<{ lines: string[]; events: TrailEvent[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(REPO, 'bin', 'trent.js'), 'audit', ...storeArgs, ...filters],
    { maxBuffer: 1 << 30 });
  const lines = stdout.split('\n').filter((l) => l !== '');
  return { lines, events: lines.map((l) => JSON.parse(l) as TrailEvent) };
}

/**
 * Makes every write to the audit trail of a running server's store fail, as a full disk would make it fail,
 * and nothing else: a trigger on the table refuses every insert (SQLite's RAISE, PostgreSQL's exception with
 * the disk-full SQLSTATE). The server is not told, and its code has no hook for it. Returns the undo.
 */
export async function breakTrail(storeArgs: readonly string[]): Promise<() => Promise<void>> {
  const database = storeArgs[storeArgs.indexOf('--database') + 1];
  if (storeArgs.includes('--database') && database) {
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query(`CREATE FUNCTION audit_full() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$;
      CREATE TRIGGER audit_full BEFORE INSERT ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_full();`);
    return async () => {
      await client.query('DROP TRIGGER audit_full ON audit_events; DROP FUNCTION audit_full();');
      await client.end();
    };
  }
  const db = new Database(join(storeArgs[storeArgs.indexOf('--data-dir') + 1]!, 'trent.db'));
  db.exec(`CREATE TRIGGER audit_full BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  return async () => {
    db.exec('DROP TRIGGER audit_full');
    db.close();
  };
}
