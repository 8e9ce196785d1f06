import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { RootKey } from '../keys/root-key.js';
import { applySeed } from '../ops/seed/apply-seed.js';
import { parseSeedText, SeedError, type SeedDocument } from '../ops/seed/seed-document.js';
import type { Store } from '../store/types.js';
import { AccessKeys, type AccessKeyIdentity } from './access-keys.js';
import type { Config } from './config.js';
import { prepareDataDir, refuseLostStore } from './data-dir.js';
import { openStore } from './open-store.js';
import { loadRootKey } from './root-key-source.js';
import { log } from '../util/log.js';

/** Set by the start that created the first administrator key: no later start makes another. */
const ADMIN_CREATED_SETTING = 'bootstrap.admin-created';

/**
 * Work done once per start, before any worker serves, so workers never race on it: the data directory's
 * modes tightened, the store checked (never a new one made where one was lost), the schema migrated, the root
 * key made or checked, in dev the seed file's keys made (ops/seed), and in serve the first administrator key made
 * and shown once.
 */
export async function prepare(config: Config): Promise<void> {
  // Read and checked before anything is made: a mistaken file leaves no data directory behind.
  const seed = config.seed === undefined ? undefined : readSeed(config, config.seed);
  prepareDataDir(config.dataDir);
  refuseLostStore(config);
  const store = openStore(config);
  try {
    const root = await loadRootKey(store, config.dataDir);
    if (seed) await seedStore(config, seed, store, root);
    if (config.posture !== 'serve') return;
    const accessKeys = new AccessKeys(store, root);
    const file = config.adminCredentialsFile;
    // Exactly once, however many nodes start together on an empty database: the claim is an insert-if-absent
    // in the transaction that creates the key, and a second node's insert waits for the first's commit, then
    // finds the claim taken. A key of a store made before the claim existed counts as the claim.
    const admin = await store.transaction(async (tx): Promise<AccessKeyIdentity | undefined> => {
      if ((await tx.listAccessKeys()).length > 0) return undefined;
      const claim = randomUUID();
      if ((await tx.putSettingIfAbsent(ADMIN_CREATED_SETTING, claim)) !== claim) return undefined;
      // The account's root: every later identity is made with it, through IAM.
      const created = await accessKeys.create(config.accountId, undefined, tx);
      // Written before the commit, so that a key is never made whose secret nobody has.
      if (file) writeFileSync(file, `${credentialLines(created, '')}\n`, { mode: 0o600, flag: 'wx' });
      return created;
    }).catch((e: unknown) => {
      if (e instanceof Error && 'code' in e && e.code === 'EEXIST') throw new Error(`${file} exists: it is never overwritten`);
      if (file) rmSync(file, { force: true });
      throw e;
    });
    if (!admin) {
      if ((await store.listAccessKeys()).length === 0) log.warn('No access key exists: make one with trent access-key create.');
    } else if (file) {
      log.info(`First start: created the administrator access key; its secret is in ${file} (mode 0600).`);
    } else {
      // Not a log record: the one time the secret is shown, to whoever started Trent (--admin-credentials-file
      // keeps it out of a log pipeline reading stdout).
      console.log(`First start: created the administrator access key. The secret is shown this once.\n${credentialLines(admin, '  ')}`);
    }
  } finally {
    await store.close();
  }
}

/** The seed file, parsed and checked (ops/seed/seed-document.ts); dev only. */
function readSeed(config: Config, file: string): { file: string; document: SeedDocument } {
  if (config.posture !== 'dev') {
    throw new Error('seed files (--seed, TRENT_SEED) are for trent dev: serve makes keys through the API only');
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the seed file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { file, document: seedErrorsNamed(file, () => parseSeedText(text, file)) };
}

/**
 * Makes the seed file's keys and aliases the store lacks (ops/seed), before any worker serves; a file that
 * contradicts the store stops the start with the reason, naming the key or alias.
 */
async function seedStore(config: Config, seed: { file: string; document: SeedDocument }, store: Store, root: RootKey): Promise<void> {
  const outcome = await seedErrorsNamed(seed.file, () => applySeed(store, { root }, seed.document, {
    accountId: config.accountId, region: config.defaultRegion, sm2Everywhere: config.sm2Everywhere,
  }, new Date()));
  log.info(`seed ${seed.file}: ${outcome.keysCreated} keys and ${outcome.aliasesCreated} aliases made, the others already there`);
}

/** A SeedError as the start's error, saying which file. */
function seedErrorsNamed<T>(file: string, fn: () => T): T {
  const named = (e: unknown): never => {
    if (e instanceof SeedError) throw new Error(`seed file ${e.message.startsWith(file) ? e.message : `${file}: ${e.message}`}`);
    throw e;
  };
  try {
    const result = fn();
    return (result instanceof Promise ? result.catch(named) : result) as T;
  } catch (e) {
    return named(e);
  }
}

/** Environment lines, so the file can be sourced by a shell or given to a service manager as is. */
function credentialLines(admin: AccessKeyIdentity, indent: string): string {
  return `${indent}AWS_ACCESS_KEY_ID=${admin.accessKeyId}\n${indent}AWS_SECRET_ACCESS_KEY=${admin.secretAccessKey}`;
}
