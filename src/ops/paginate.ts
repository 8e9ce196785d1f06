import { KmsError } from '../model/errors.js';

/**
 * List pagination as AWS does it: Limit (default 100 unless an operation says otherwise), an opaque
 * Marker, NextMarker and Truncated. Pages are key-set pages ordered by a unique sort key, so a page
 * boundary is stable under concurrent inserts; the marker names its listing so one list's marker is
 * refused by another.
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextMarker?: string | undefined;
  readonly truncated: boolean;
}

const DEFAULT_LIMIT = 100;

/** An operation's own page size: its default, and the largest page it returns (the model allows Limit up to 1000). */
export interface LimitBounds {
  readonly default: number;
  readonly max: number;
}

/**
 * The page size for a request. A Limit above the operation's documented maximum gets the maximum: AWS
 * "does not return more than the specified number of items, but it might return fewer".
 */
export function pageLimit(limit: number | undefined, bounds: LimitBounds = { default: DEFAULT_LIMIT, max: 1000 }): number {
  return Math.min(limit ?? bounds.default, bounds.max);
}

export function decodeMarker(listing: string, marker: string | undefined): string | undefined {
  if (marker === undefined) return undefined;
  const text = Buffer.from(marker, 'base64url').toString('utf8');
  const prefix = `${listing}:`;
  if (Buffer.from(text, 'utf8').toString('base64url') !== marker || !text.startsWith(prefix)) {
    throw new KmsError('InvalidMarkerException',
      'The marker that specifies where pagination should next begin is not valid.');
  }
  return text.slice(prefix.length);
}

/** Given up to limit+1 rows ordered by `sortKey`, the page of `limit` and the marker for the next one. */
export function toPage<T>(listing: string, rows: T[], limit: number, sortKey: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, truncated: false };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1]!;
  return { items, truncated: true, nextMarker: Buffer.from(`${listing}:${sortKey(last)}`, 'utf8').toString('base64url') };
}
