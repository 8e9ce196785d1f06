import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ChangeFeed } from './change-feed.js';
import { TYPES } from './postgres-connection.js';
import type { Change } from './types.js';
import { log } from '../util/log.js';

/** The NOTIFY channel every node writes its committed changes to and listens on. */
const CHANNEL = 'trent_changes';
/** NOTIFY payloads must stay under 8000 bytes; a bigger batch is announced as a resync. */
const MAX_PAYLOAD = 7_000;
const RECONNECT_MS = 1_000;

/** What a node NOTIFYs: its origin (so it skips its own) and its changes, or null for "resync". */
interface Notification {
  readonly o: string;
  readonly c: Array<[Exclude<Change['kind'], 'resync'>, string]> | null;
}

/**
 * The changes between nodes: each transaction NOTIFYs its changes (delivered on commit), and one connection
 * per process LISTENs for the other nodes' and hands them to the feed.
 */
export class ChangeNotifier {
  /** Tells this node's notifications from other nodes'. */
  private readonly origin = randomUUID();
  private listener: pg.Client | undefined;
  private reconnect: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly url: string, private readonly feed: ChangeFeed) {}

  /** Sends `changes` to the other nodes when the transaction on `client` commits. */
  async notify(client: pg.PoolClient, changes: readonly Change[]): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [CHANNEL, this.payload(changes)]);
  }

  /** Starts listening, unless already listening or about to reconnect. */
  start(): void {
    if (!this.listener && !this.reconnect) this.listen();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnect);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private payload(changes: readonly Change[]): string {
    let listed: Notification['c'] = [];
    for (const c of changes) {
      if (c.kind === 'resync') {
        listed = null;
        break;
      }
      listed.push([c.kind, c.id]);
    }
    const payload = JSON.stringify({ o: this.origin, c: listed } satisfies Notification);
    return payload.length <= MAX_PAYLOAD ? payload : JSON.stringify({ o: this.origin, c: null } satisfies Notification);
  }

  /**
   * Whenever the listening connection (re)connects, notifications may have been missed, so listeners are told
   * to resync; while it is down, caches fall back on their own expiry.
   */
  private listen(): void {
    this.reconnect = undefined;
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.url, types: TYPES });
    this.listener = client;
    const lost = (e?: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      log.warn(`postgres: the change notification connection failed${e ? `: ${e.message}` : ''}; reconnecting`);
      void client.end().catch(() => undefined);
      if (!this.closed) this.reconnect = setTimeout(() => this.listen(), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (n) => this.deliver(n.payload));
    client.connect().then(() => client.query(`LISTEN ${CHANNEL}`))
      .then(() => this.feed.emit({ kind: 'resync' }), lost);
  }

  private deliver(payload: string | undefined): void {
    let n: Notification;
    try {
      n = JSON.parse(payload ?? '') as Notification;
    } catch {
      return this.feed.emit({ kind: 'resync' });
    }
    if (n.o === this.origin) return;
    if (!Array.isArray(n.c)) return this.feed.emit({ kind: 'resync' });
    for (const [kind, id] of n.c) this.feed.emit({ kind, id });
  }
}
