import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RootKey } from '../../keys/root-key.js';

/**
 * The proxy's own encrypted store: a directory holding `master.key` (32 random bytes, 0600, unless
 * TRENT_XKS_PROXY_MASTER_KEY gives them in base64) and `state.json`, whose AES-256 keys and credential secrets
 * are wrapped under the master key (AES-256-GCM, each bound to its ID). The running proxy rereads the file
 * when it changes, so keys and credentials made by the CLI take effect without a restart.
 */
export type KeyUsage = 'ENCRYPT' | 'DECRYPT';

export interface ProxyKey {
  readonly id: string;
  readonly usages: readonly KeyUsage[];
  enabled: boolean;
  /** Principals (awsPrincipalArn) allowed to use the key; empty: any. The spec's optional secondary authorization. */
  readonly allowedPrincipals: readonly string[];
  readonly createdAt: string;
  readonly wrapped: string;
}

export interface ProxyCredential {
  readonly accessKeyId: string;
  readonly createdAt: string;
  readonly wrappedSecret: string;
}

interface State {
  keys: ProxyKey[];
  credentials: ProxyCredential[];
}

/** The spec asks a proxy to accept two sets of credentials at once, so that they can be rotated. */
export const MAX_CREDENTIALS = 2;
const MASTER_ENV = 'TRENT_XKS_PROXY_MASTER_KEY';
const identity = {
  key: (id: string) => `xks-proxy-key:${id}`,
  credential: (accessKeyId: string) => `xks-proxy-credential:${accessKeyId}`,
};

export class KeyFile {
  private readonly master: RootKey;
  private readonly statePath: string;
  private state: State = { keys: [], credentials: [] };
  private loadedMtime = -1;
  private readonly secrets = new Map<string, Buffer>();

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.statePath = join(dir, 'state.json');
    this.master = new RootKey(masterKey(dir));
  }

  /** Rereads state.json if it changed since it was read (a stat per call: cheap beside TLS and AES). */
  refresh(): void {
    const mtime = existsSync(this.statePath) ? statSync(this.statePath).mtimeMs : 0;
    if (mtime === this.loadedMtime) return;
    this.state = mtime ? JSON.parse(readFileSync(this.statePath, 'utf8')) as State : { keys: [], credentials: [] };
    this.secrets.clear();
    this.loadedMtime = mtime;
  }

  keys(): readonly ProxyKey[] {
    this.refresh();
    return this.state.keys;
  }

  key(id: string): ProxyKey | undefined {
    return this.keys().find((k) => k.id === id);
  }

  /** The key's AES-256 secret, unwrapped once per reading of the file. */
  secretOf(key: ProxyKey): Buffer {
    const cacheKey = identity.key(key.id);
    let secret = this.secrets.get(cacheKey);
    if (!secret) {
      secret = this.master.unwrap(cacheKey, Buffer.from(key.wrapped, 'base64'));
      this.secrets.set(cacheKey, secret);
    }
    return secret;
  }

  credentials(): readonly ProxyCredential[] {
    this.refresh();
    return this.state.credentials;
  }

  secretAccessKeyOf(c: ProxyCredential): string {
    return this.master.unwrap(identity.credential(c.accessKeyId), Buffer.from(c.wrappedSecret, 'base64')).toString('utf8');
  }

  createKey(id: string, usages: readonly KeyUsage[], allowedPrincipals: readonly string[]): ProxyKey {
    this.refresh();
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(id)) throw new Error(`an external key ID is 1-128 characters of A-Z a-z 0-9 . _ -: ${id}`);
    if (this.state.keys.some((k) => k.id === id)) throw new Error(`key ${id} exists already`);
    const key: ProxyKey = {
      id, usages: [...usages], enabled: true, allowedPrincipals: [...allowedPrincipals], createdAt: new Date().toISOString(),
      wrapped: this.master.wrap(identity.key(id), randomBytes(32)).toString('base64'),
    };
    this.state.keys.push(key);
    this.save();
    return key;
  }

  setEnabled(id: string, enabled: boolean): void {
    this.refresh();
    const key = this.state.keys.find((k) => k.id === id);
    if (!key) throw new Error(`no key ${id}`);
    key.enabled = enabled;
    this.save();
  }

  createCredential(): { accessKeyId: string; secretAccessKey: string } {
    this.refresh();
    if (this.state.credentials.length >= MAX_CREDENTIALS) {
      throw new Error(`the proxy has ${MAX_CREDENTIALS} credentials already: delete one first (delete-credential)`);
    }
    const accessKeyId = base32(randomBytes(16)).slice(0, 20);
    // 264 random bits in the base64 alphabet: the spec asks for a secret of at least 256 bits of entropy.
    const secretAccessKey = randomBytes(33).toString('base64');
    this.state.credentials.push({
      accessKeyId, createdAt: new Date().toISOString(),
      wrappedSecret: this.master.wrap(identity.credential(accessKeyId), Buffer.from(secretAccessKey, 'utf8')).toString('base64'),
    });
    this.save();
    return { accessKeyId, secretAccessKey };
  }

  deleteCredential(accessKeyId: string): void {
    this.refresh();
    const before = this.state.credentials.length;
    this.state.credentials = this.state.credentials.filter((c) => c.accessKeyId !== accessKeyId);
    if (this.state.credentials.length === before) throw new Error(`no credential ${accessKeyId}`);
    this.save();
  }

  /** Written to a temporary file and renamed: the running proxy never reads half a file. */
  private save(): void {
    const tmp = `${this.statePath}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.state, null, 2), { mode: 0o600 });
    renameSync(tmp, this.statePath);
    this.loadedMtime = -1;
  }
}

function masterKey(dir: string): Buffer {
  const fromEnv = process.env[MASTER_ENV];
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error(`${MASTER_ENV} must be the base64 of 32 bytes`);
    return key;
  }
  const path = join(dir, 'master.key');
  if (!existsSync(path)) writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
  const key = readFileSync(path);
  if (key.length !== 32) throw new Error(`${path} must hold 32 bytes`);
  return key;
}

/** RFC 4648 base32 (A-Z, 2-7), unpadded: the alphabet the spec gives access key IDs. */
function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
