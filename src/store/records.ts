import type { KeyRecord } from './types.js';

/**
 * How a key record is kept: a JSON document (dates as epoch milliseconds) plus the column the scheduler
 * scans. Shared by every backend so both store the same bytes.
 */
export function encodeKey(key: KeyRecord): string {
  return JSON.stringify(key, (_k, v: unknown) => (v === undefined ? undefined : v));
}

const DATE_FIELDS = ['createdAt', 'deletionDate', 'validTo', 'nextRotationDate'] as const;

export function decodeKey(doc: string): KeyRecord {
  const raw = JSON.parse(doc) as Record<string, unknown>;
  for (const f of DATE_FIELDS) if (typeof raw[f] === 'string') raw[f] = new Date(raw[f] as string);
  return raw as unknown as KeyRecord;
}

/** The earliest moment the scheduler has work on this key (deletion, rotation, material expiry), if any. */
export function dueAt(key: KeyRecord): number | null {
  const times: number[] = [];
  if (key.keyState === 'PendingDeletion' && key.deletionDate) times.push(key.deletionDate.getTime());
  // Only Enabled keys rotate: a Disabled one waits, off the due list, and is due again once enabled.
  if (key.nextRotationDate && key.keyState === 'Enabled') times.push(key.nextRotationDate.getTime());
  if (key.validTo && key.keyState !== 'PendingImport') times.push(key.validTo.getTime());
  return times.length ? Math.min(...times) : null;
}
