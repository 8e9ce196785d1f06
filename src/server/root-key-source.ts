import { randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RootKey, wrapIdentity } from '../keys/root-key.js';
import type { StoreOps } from '../store/types.js';

/** Where the root-key check value and salt are read and written: a store, or a backup's settings being restored. */
type SettingsOf = Pick<StoreOps, 'getSetting' | 'putSettingIfAbsent'>;

export const ROOT_KEY_ENV = 'TRENT_ROOT_KEY';
export const ROOT_PASSPHRASE_ENV = 'TRENT_ROOT_KEY_PASSPHRASE';
const CHECK_SETTING = 'root-key.check';
const SALT_SETTING = 'root-key.scrypt-salt';
const CHECK_PLAINTEXT = Buffer.from('trent root key check v1');

/**
 * Where the root key comes from, in order: TRENT_ROOT_KEY (32 bytes, base64), TRENT_ROOT_KEY_PASSPHRASE
 * (scrypt with a salt kept in the store), or the file root.key in the data directory, created with mode
 * 0600 on first start. The store keeps a value wrapped under the root key, so starting with the wrong
 * root key fails at once instead of failing on the first decrypt.
 */
export async function loadRootKey(store: SettingsOf, dataDir: string, env: NodeJS.ProcessEnv = process.env): Promise<RootKey> {
  const root = new RootKey(await rootKeyBytes(store, dataDir, env));
  // Nodes starting together on an empty store each offer a check value; the first one stored is the one all check.
  const check = await settingOnce(store, CHECK_SETTING, () => root.wrap(wrapIdentity.rootCheck(), CHECK_PLAINTEXT).toString('base64'));
  try {
    root.unwrap(wrapIdentity.rootCheck(), Buffer.from(check, 'base64'));
  } catch {
    throw new Error('the root key does not match the one this store was created with');
  }
  return root;
}

/** Whether the store is reachable and `root` unwraps its check value (the health check: a read and one AES-GCM decryption). */
export async function rootKeyMatchesStore(store: Pick<StoreOps, 'getSetting'>, root: RootKey): Promise<boolean> {
  const check = await store.getSetting(CHECK_SETTING);
  if (check === undefined) return false;
  try {
    root.unwrap(wrapIdentity.rootCheck(), Buffer.from(check, 'base64'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The setting's value, stored first if it has none. Insert-if-absent, never get-then-put: two nodes starting
 * together with one passphrase must derive their root key from the same salt, whichever of them wrote it.
 */
async function settingOnce(store: SettingsOf, name: string, make: () => string): Promise<string> {
  return (await store.getSetting(name)) ?? store.putSettingIfAbsent(name, make());
}

async function rootKeyBytes(store: SettingsOf, dataDir: string, env: NodeJS.ProcessEnv): Promise<Buffer> {
  const fromEnv = env[ROOT_KEY_ENV];
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error(`${ROOT_KEY_ENV} must be 32 bytes, base64-encoded`);
    return key;
  }
  const passphrase = env[ROOT_PASSPHRASE_ENV];
  if (passphrase) {
    const salt = await settingOnce(store, SALT_SETTING, () => randomBytes(16).toString('base64'));
    return scryptSync(passphrase, Buffer.from(salt, 'base64'), 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 });
  }
  const file = join(dataDir, 'root.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes, base64-encoded`);
  return key;
}
