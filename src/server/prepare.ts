import { AccessKeys } from './access-keys.js';
import type { Config } from './config.js';
import { openStore } from './open-store.js';
import { loadRootKey } from './root-key-source.js';

/**
 * Work done once per start, before any worker serves, so workers never race on it: the schema migrated, the
 * root key made or checked, and in serve the first administrator key made and shown once.
 */
export async function prepare(config: Config): Promise<void> {
  const store = openStore(config);
  try {
    const root = await loadRootKey(store, config.dataDir);
    const accessKeys = new AccessKeys(store, root);
    if (config.posture === 'serve' && (await accessKeys.list()).length === 0) {
      const admin = await accessKeys.create(config.accountId, 'admin');
      console.log(`First start: created the administrator access key. The secret is shown this once.
  AWS_ACCESS_KEY_ID=${admin.accessKeyId}
  AWS_SECRET_ACCESS_KEY=${admin.secretAccessKey}`);
    }
  } finally {
    await store.close();
  }
}
