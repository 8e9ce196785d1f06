/**
 * Fills a Trent data directory with N symmetric keys directly through the store (as CreateKey would write
 * them: key record + material wrapped under the root key, in transactions of 1,000), for scale tests.
 *
 *   node dist/bench/generate-keys.js --data-dir DIR --count 1000000 [--account-id 111122223333] [--region us-east-1]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { defaultKeyPolicy } from '../src/policy/document.js';
import { openStore } from '../src/server/open-store.js';
import { loadConfig } from '../src/server/config.js';
import { loadRootKey } from '../src/server/root-key-source.js';
import { addMaterial } from '../src/ops/material.js';
import type { KeyRecord } from '../src/store/types.js';
import { partitionOf } from '../src/util/arn.js';
import { newKeyId } from '../src/util/ids.js';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    count: { type: 'string', default: '1000000' },
    'account-id': { type: 'string', default: '111122223333' },
    region: { type: 'string', default: 'us-east-1' },
  },
});
const config = loadConfig('serve', { dataDir: values['data-dir'] });
const store = openStore(config);
const root = await loadRootKey(store, config.dataDir);
const count = Number(values.count);
const accountId = values['account-id']!;
const region = values.region!;
const policy = defaultKeyPolicy(partitionOf(region), accountId);
const started = Date.now();

for (let done = 0; done < count;) {
  const batch = Math.min(1000, count - done);
  await store.transaction(async (tx) => {
    for (let i = 0; i < batch; i++) {
      const now = new Date();
      const key: KeyRecord = {
        accountId, region, keyId: newKeyId(false), createdAt: now, description: '', keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', multiRegion: false, policy,
      };
      key.currentMaterialId = await addMaterial(tx, root, key, randomBytes(32), now);
      await tx.insertKey(key);
    }
  });
  done += batch;
  if (done % 100_000 === 0 || done === count) {
    console.log(`${done} keys, ${Math.round(done / ((Date.now() - started) / 1000))} keys/s`);
  }
}
await store.close();
