import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Pkcs11js from 'pkcs11js';
import { HsmCallError, type HsmFailure, type HsmSealed, type HsmTokens } from '../ops/custom-key-stores/hsm-port.js';

/** A PKCS#11 token configured as the backing of a CloudHsmClusterId. */
export interface TokenConfig {
  readonly module: string;
  readonly tokenLabel: string;
}

type Handle = Buffer;

// PKCS#11 return values Trent tells apart (the rest are failures of the token).
const CKR = {
  SLOT_ID_INVALID: 0x3, DEVICE_REMOVED: 0x32, PIN_INCORRECT: 0xa0,
  PIN_LOCKED: 0xa4, SESSION_CLOSED: 0xb0, SESSION_HANDLE_INVALID: 0xb3, TOKEN_NOT_PRESENT: 0xe0, USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
} as const;
const STALE_SESSION = new Set<number>([CKR.SESSION_CLOSED, CKR.SESSION_HANDLE_INVALID, CKR.USER_NOT_LOGGED_IN, CKR.DEVICE_REMOVED]);

/**
 * AWS_CLOUDHSM key stores on PKCS#11 tokens (SoftHSM2, or a hardware token with a PKCS#11 module), through
 * pkcs11js. One logged-in session per cluster ID in each process, opened when first needed with the store's
 * password (the user PIN) and reopened once if the token dropped it. Keys are AES-256, generated in the token as
 * sensitive, not extractable token objects named by the KMS key ID (CKA_ID); AES-GCM runs in the token.
 */
let loaded: typeof Pkcs11js | undefined;

/**
 * pkcs11js, loaded when a CloudHSM key store first needs its token: a native addon (an optional dependency) that
 * only these stores use, so a Trent installed where it could not be built still starts and serves every other key.
 */
function pkcs11js(): typeof Pkcs11js {
  return loaded ??= createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
}

export class Pkcs11Tokens implements HsmTokens {
  private readonly libraries = new Map<string, Pkcs11js.PKCS11>();
  private readonly sessions = new Map<string, Handle>();

  constructor(private readonly tokens: ReadonlyMap<string, TokenConfig>) {}

  has(clusterId: string): boolean {
    return this.tokens.has(clusterId);
  }

  sameToken(a: string, b: string): boolean {
    const x = this.tokens.get(a);
    const y = this.tokens.get(b);
    return !!x && !!y && x.module === y.module && x.tokenLabel === y.tokenLabel;
  }

  async connect(clusterId: string, pin: string): Promise<void> {
    this.open(clusterId, pin, true);
  }

  async disconnect(clusterId: string): Promise<void> {
    const session = this.sessions.get(clusterId);
    this.sessions.delete(clusterId);
    if (!session) return;
    const lib = this.library(this.config(clusterId).module, false);
    try {
      lib.C_CloseSession(session);
    } catch {
      // Already gone with its token: nothing to close.
    }
  }

  async generateKey(clusterId: string, pin: string, id: string): Promise<void> {
    this.withSession(clusterId, pin, (lib, s) => {
      const p = pkcs11js();
      lib.C_GenerateKey(s, { mechanism: p.CKM_AES_KEY_GEN }, [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
        { type: p.CKA_VALUE_LEN, value: 32 },
        { type: p.CKA_TOKEN, value: true },
        { type: p.CKA_PRIVATE, value: true },
        { type: p.CKA_SENSITIVE, value: true },
        { type: p.CKA_EXTRACTABLE, value: false },
        { type: p.CKA_ENCRYPT, value: true },
        { type: p.CKA_DECRYPT, value: true },
        { type: p.CKA_ID, value: Buffer.from(id, 'utf8') },
        { type: p.CKA_LABEL, value: `trent:${id}` },
      ]);
    });
  }

  async encrypt(clusterId: string, pin: string, id: string, plaintext: Buffer, aad: Buffer): Promise<HsmSealed> {
    const iv = randomBytes(12);
    const ciphertext = this.withSession(clusterId, pin, (lib, s) => {
      lib.C_EncryptInit(s, gcm(iv, aad), this.key(lib, s, id));
      return Buffer.from(lib.C_Encrypt(s, plaintext, Buffer.alloc(plaintext.length + 16)));
    });
    return { iv, ciphertext };
  }

  async decrypt(clusterId: string, pin: string, id: string, sealed: HsmSealed, aad: Buffer): Promise<Buffer> {
    return this.withSession(clusterId, pin, (lib, s) => {
      lib.C_DecryptInit(s, gcm(sealed.iv, aad), this.key(lib, s, id));
      try {
        return Buffer.from(lib.C_Decrypt(s, sealed.ciphertext, Buffer.alloc(sealed.ciphertext.length)));
      } catch (e) {
        // A tag that does not verify: tokens answer it variously (SoftHSM2: CKR_GENERAL_ERROR). A dropped session is not that.
        if (STALE_SESSION.has(codeOf(e))) throw e;
        throw new HsmCallError('BadCiphertext', e instanceof Error ? e.message : String(e));
      }
    });
  }

  async random(clusterId: string, pin: string, length: number): Promise<Buffer> {
    return this.withSession(clusterId, pin, (lib, s) => Buffer.from(lib.C_GenerateRandom(s, Buffer.alloc(length))));
  }

  async destroyKey(clusterId: string, pin: string, id: string): Promise<void> {
    this.withSession(clusterId, pin, (lib, s) => lib.C_DestroyObject(s, this.key(lib, s, id)));
  }

  close(): void {
    for (const lib of this.libraries.values()) {
      try {
        lib.C_Finalize();
      } catch {
        // Finalizing is best effort at shutdown.
      }
    }
    this.libraries.clear();
    this.sessions.clear();
  }

  private config(clusterId: string): TokenConfig {
    const config = this.tokens.get(clusterId);
    if (!config) throw new HsmCallError('ClusterNotFound', `no PKCS#11 token is configured for ${clusterId}`);
    return config;
  }

  /** The module, loaded and initialized; `fresh` finalizes and initializes it again, so removed tokens are seen. */
  private library(module: string, fresh: boolean): Pkcs11js.PKCS11 {
    let lib = this.libraries.get(module);
    if (lib && fresh) {
      try {
        lib.C_Finalize();
      } catch {
        // Initialized again below either way.
      }
      lib.C_Initialize();
      for (const [clusterId, config] of this.tokens) if (config.module === module) this.sessions.delete(clusterId);
    }
    if (!lib) {
      try {
        lib = new (pkcs11js().PKCS11)();
        lib.load(module);
        lib.C_Initialize();
      } catch (e) {
        throw new HsmCallError('ClusterNotFound', `cannot load the PKCS#11 module ${module}: ${e instanceof Error ? e.message : String(e)}`);
      }
      this.libraries.set(module, lib);
    }
    return lib;
  }

  private open(clusterId: string, pin: string, fresh: boolean): Handle {
    const existing = this.sessions.get(clusterId);
    if (existing && !fresh) return existing;
    const config = this.config(clusterId);
    const lib = this.library(config.module, fresh);
    try {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === config.tokenLabel);
      if (!slot) throw new HsmCallError('TokenNotPresent', `no token labelled ${config.tokenLabel} is present`);
      const session = lib.C_OpenSession(slot, pkcs11js().CKF_SERIAL_SESSION | pkcs11js().CKF_RW_SESSION);
      try {
        lib.C_Login(session, pkcs11js().CKU_USER, pin);
      } catch (e) {
        if (codeOf(e) !== CKR.USER_ALREADY_LOGGED_IN) {
          lib.C_CloseSession(session);
          throw e;
        }
      }
      this.sessions.set(clusterId, session);
      return session;
    } catch (e) {
      throw toHsmError(e);
    }
  }

  /** Runs `fn` in the cluster's session, reopening it once if the token had dropped it. */
  private withSession<T>(clusterId: string, pin: string, fn: (lib: Pkcs11js.PKCS11, session: Handle) => T): T {
    const lib = () => this.library(this.config(clusterId).module, false);
    try {
      return fn(lib(), this.open(clusterId, pin, false));
    } catch (e) {
      if (!STALE_SESSION.has(codeOf(e))) throw toHsmError(e);
    }
    try {
      return fn(lib(), this.open(clusterId, pin, true));
    } catch (e) {
      throw toHsmError(e);
    }
  }

  private key(lib: Pkcs11js.PKCS11, session: Handle, id: string): Handle {
    lib.C_FindObjectsInit(session, [
      { type: pkcs11js().CKA_CLASS, value: pkcs11js().CKO_SECRET_KEY },
      { type: pkcs11js().CKA_ID, value: Buffer.from(id, 'utf8') },
    ]);
    const found = lib.C_FindObjects(session);
    lib.C_FindObjectsFinal(session);
    if (!found) throw new HsmCallError('KeyNotFound', `the token has no key ${id}`);
    return found;
  }
}

function gcm(iv: Buffer, aad: Buffer): Pkcs11js.Mechanism {
  return { mechanism: pkcs11js().CKM_AES_GCM, parameter: { type: pkcs11js().CK_PARAMS_AES_GCM, iv, ivBits: 96, aad, tagBits: 128 } as Pkcs11js.GcmParams };
}

function codeOf(e: unknown): number {
  return loaded !== undefined && e instanceof loaded.Pkcs11Error ? e.code : -1;
}

function toHsmError(e: unknown): HsmCallError {
  if (e instanceof HsmCallError) return e;
  const code = codeOf(e);
  const detail = e instanceof Error ? e.message : String(e);
  const failure: HsmFailure = code === CKR.PIN_INCORRECT ? 'InvalidPin'
    : code === CKR.PIN_LOCKED ? 'PinLocked'
      : code === CKR.TOKEN_NOT_PRESENT || code === CKR.DEVICE_REMOVED || code === CKR.SLOT_ID_INVALID ? 'TokenNotPresent'
        : 'Failed';
  return new HsmCallError(failure, detail);
}

/** TRENT_CLOUDHSM_TOKENS: `{"cluster-…": {"module": "/usr/lib/softhsm/libsofthsm2.so", "tokenLabel": "…"}, …}`. */
export function parseTokens(json: string | undefined): Map<string, TokenConfig> {
  const map = new Map<string, TokenConfig>();
  if (!json) return map;
  const parsed = JSON.parse(json) as Record<string, Partial<TokenConfig>>;
  for (const [clusterId, c] of Object.entries(parsed)) {
    if (typeof c?.module !== 'string' || typeof c.tokenLabel !== 'string') {
      throw new Error(`TRENT_CLOUDHSM_TOKENS: ${clusterId} needs a "module" and a "tokenLabel"`);
    }
    map.set(clusterId, { module: c.module, tokenLabel: c.tokenLabel });
  }
  return map;
}
