import { AccessKeys } from '../server/access-keys.js';
import type { Config } from '../server/config.js';
import { refuseLostStore } from '../server/data-dir.js';
import { openStore } from '../server/open-store.js';
import { loadRootKey } from '../server/root-key-source.js';

/**
 * `trent access-key create|list|delete`, on the configured store: a shortcut over IAM's records. `create` makes a
 * key of the account root, or with --user of that IAM user (made first if it does not exist yet).
 */
export async function accessKeyCommand(config: Config, sub: string | undefined, arg: string | undefined,
  user: string | undefined, usage: string): Promise<number> {
  refuseLostStore(config);
  const store = openStore(config);
  try {
    const keys = new AccessKeys(store, await loadRootKey(store, config.dataDir));
    switch (sub) {
      case 'create': {
        const k = await keys.create(config.accountId, user);
        console.log(`AWS_ACCESS_KEY_ID=${k.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${k.secretAccessKey}`);
        return 0;
      }
      case 'list':
        for (const k of await keys.list()) {
          console.log(`${k.accessKeyId}\t${k.accountId}\t${k.userName ?? '(root)'}\t${k.status}\t${k.createdAt.toISOString()}`);
        }
        return 0;
      case 'delete':
        if (!arg) break;
        if (await keys.delete(arg)) return 0;
        console.error(`no access key ${arg}`);
        return 1;
    }
    console.error(usage);
    return 2;
  } finally {
    await store.close();
  }
}
