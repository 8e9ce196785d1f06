import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { RootKey } from '../../src/keys/root-key.js';
import { handleAdminRequest } from '../../src/server/admin.js';
import type { App } from '../../src/server/app.js';
import { loadRootKey } from '../../src/server/root-key-source.js';

/** An app whose store answers getSetting with `getSetting`, holding `root`: all the health check reads. */
function appWith(getSetting: (name: string) => Promise<string | undefined>, root: RootKey): App {
  return { config: { posture: 'serve' }, deps: { store: { getSetting }, root } } as unknown as App;
}

async function healthOf(app: App): Promise<{ status: number; body: unknown }> {
  const out = await handleAdminRequest(app, 'GET', '/-/health', {}, Buffer.alloc(0));
  return { status: out.status, body: JSON.parse(out.body.toString()) };
}

test('health: 503 when the store cannot be read, or the root key does not unwrap its check value; 200 otherwise', async () => {
  const settings = new Map<string, string>();
  const store = {
    getSetting: async (n: string) => settings.get(n),
    putSettingIfAbsent: async (n: string, v: string) => { if (!settings.has(n)) settings.set(n, v); return settings.get(n)!; },
  };
  const root = await loadRootKey(store, '/nonexistent', { TRENT_ROOT_KEY: randomBytes(32).toString('base64') });
  assert.deepEqual(await healthOf(appWith(store.getSetting, root)), { status: 200, body: { status: 'ok', store: 'ok', rootKey: 'loaded' } });
  assert.deepEqual(await healthOf(appWith(() => Promise.reject(new Error('connection refused')), root)),
    { status: 503, body: { status: 'unavailable', store: 'unreachable', rootKey: 'unknown' } });
  assert.deepEqual(await healthOf(appWith(store.getSetting, new RootKey(randomBytes(32)))),
    { status: 503, body: { status: 'unavailable', store: 'ok', rootKey: 'mismatch' } });
});
