import { isDeepStrictEqual } from 'node:util';
import { readTrail } from '../support/audit.js';
import type { KmsCaller } from '../support/kms-caller.js';
import type { Ledger } from './ledger.js';

/**
 * After a restart, everything acknowledged must be there and intact, and nothing half-made may be visible.
 * Returns the losses (an acknowledged write missing or changed) and the half-made things, one line each.
 */
export async function verifyAfterRestart(callers: readonly KmsCaller[], ledger: Ledger): Promise<VerifyResult> {
  const problems: string[] = [];
  const [first] = callers;
  const listedKeys = new Set((await listAll(first!, 'ListKeys', 'Keys', 1000)).map((k) => String(k.KeyId)));
  const aliases = await listAll(first!, 'ListAliases', 'Aliases', 100);

  if (listedKeys.size < ledger.keys.size) problems.push(`ListKeys shows ${listedKeys.size} keys, ${ledger.keys.size} were acknowledged`);
  const extras = [...listedKeys].filter((id) => !ledger.keys.has(id));

  await inParallel(callers, [...ledger.keys], async (kms, [keyId, acked]) => {
    if (!listedKeys.has(keyId)) problems.push(`acknowledged key ${keyId} is not listed`);
    const described = await kms.call('DescribeKey', { KeyId: keyId });
    if (!isDeepStrictEqual(described.json.KeyMetadata, acked.metadata)) {
      problems.push(`key ${keyId}: DescribeKey ${JSON.stringify(described.json)} differs from CreateKey's ${JSON.stringify(acked.metadata)}`);
    }
    if (described.status !== 200) return;
    const tags = await listAll(kms, 'ListResourceTags', 'Tags', 50, { KeyId: keyId });
    const found = new Map(tags.map((t) => [String(t.TagKey), String(t.TagValue)]));
    for (const [k, v] of acked.tags) if (found.get(k) !== v) problems.push(`key ${keyId}: acknowledged tag ${k}=${v} is ${found.get(k) ?? 'missing'}`);
    for (const [k, v] of found) if (!ledger.wasTagAttempted(keyId, k, v)) problems.push(`key ${keyId}: tag ${k}=${v} was never sent`);
    problems.push(...await usable(kms, keyId, String(acked.metadata.KeySpec)));
  });

  await inParallel(callers, extras, async (kms, keyId) => {
    const described = await kms.call('DescribeKey', { KeyId: keyId });
    const metadata = described.json.KeyMetadata as Record<string, unknown> | undefined;
    if (!metadata || metadata.KeyState !== 'Enabled') problems.push(`unacknowledged key ${keyId} is not whole: ${JSON.stringify(described.json)}`);
    else problems.push(...await usable(kms, keyId, String(metadata.KeySpec)));
  });

  const aliasTargets = new Map(aliases.filter((a) => String(a.AliasName).startsWith('alias/soak-'))
    .map((a) => [String(a.AliasName), a.TargetKeyId === undefined ? undefined : String(a.TargetKeyId)]));
  for (const [name, keyId] of ledger.aliases) {
    if (aliasTargets.get(name) !== keyId) problems.push(`acknowledged ${name} → ${keyId} is ${aliasTargets.get(name) ?? 'missing'}`);
  }
  for (const [name, target] of aliasTargets) {
    if (target === undefined || !listedKeys.has(target)) problems.push(`${name} points to a missing key ${target}`);
    if (ledger.aliasAttempts.get(name) !== target) problems.push(`${name} → ${target} was never asked for`);
  }

  await inParallel(callers, ledger.ciphertexts, async (kms, c) => {
    const out = await kms.call('Decrypt', { CiphertextBlob: c.ciphertext, EncryptionContext: c.context });
    if (out.status !== 200 || out.json.Plaintext !== c.plaintext) {
      problems.push(`a ciphertext under ${c.keyId} no longer decrypts to its plaintext: ${out.status} ${String(out.json.__type ?? '')}`);
    }
  });
  return { problems, listedKeys: listedKeys.size, extras: extras.length };
}

/**
 * The audit trail after a restart: every request that was answered has its record, each record is one whole
 * event (`trent audit` prints them as stored; a line that is not whole JSON is a torn record), and no event is
 * there twice.
 */
export async function verifyAuditTrail(storeArgs: readonly string[], ledger: Ledger): Promise<string[]> {
  let events;
  try {
    ({ events } = await readTrail(storeArgs));
  } catch (e) {
    return [`the audit trail does not read as whole events: ${String(e).slice(0, 500)}`];
  }
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const e of events) {
    if (ids.has(e.eventID)) problems.push(`audit event ${e.eventID} is in the trail twice`);
    ids.add(e.eventID);
  }
  const missing = ledger.answered.filter((id) => !ids.has(id));
  if (missing.length) problems.push(`${missing.length} answered requests have no audit record, e.g. ${missing.slice(0, 5).join(', ')}`);
  return problems;
}

export interface VerifyResult {
  readonly problems: string[];
  readonly listedKeys: number;
  /** Keys that were created but whose CreateKey got no answer. */
  readonly extras: number;
}

/** A key that exists is usable: a symmetric key encrypts and decrypts, an HMAC key makes a MAC. */
async function usable(kms: KmsCaller, keyId: string, keySpec: string): Promise<string[]> {
  if (keySpec === 'SYMMETRIC_DEFAULT') {
    const sealed = await kms.call('Encrypt', { KeyId: keyId, Plaintext: 'AAEC' });
    const opened = sealed.status === 200 ? await kms.call('Decrypt', { CiphertextBlob: sealed.json.CiphertextBlob }) : sealed;
    return opened.status === 200 && opened.json.Plaintext === 'AAEC' ? [] : [`key ${keyId} cannot encrypt and decrypt: ${JSON.stringify(opened.json)}`];
  }
  const mac = await kms.call('GenerateMac', { KeyId: keyId, Message: 'AAEC', MacAlgorithm: 'HMAC_SHA_256' });
  return mac.status === 200 ? [] : [`key ${keyId} cannot make a MAC: ${JSON.stringify(mac.json)}`];
}

/** Every entry of a paged List* operation, in pages of its largest Limit. */
async function listAll(kms: KmsCaller, operation: string, member: string, limit: number, input: Record<string, unknown> = {}):
  Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  let marker: unknown;
  do {
    const page = await kms.ok(operation, { ...input, Limit: limit, ...(marker ? { Marker: marker } : {}) });
    all.push(...(page[member] as Record<string, unknown>[]));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return all;
}

/** Runs `check` over the items, one caller (connection) per concurrent check. */
async function inParallel<T>(callers: readonly KmsCaller[], items: readonly T[], check: (kms: KmsCaller, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(callers.map(async (kms) => {
    while (next < items.length) await check(kms, items[next++]!);
  }));
}
