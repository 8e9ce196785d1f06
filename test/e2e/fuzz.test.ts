import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { fuzzBothPostures, summary } from '../fuzz/postures.js';

// The short form of `npm run fuzz`. A failure prints its seed: `npm run fuzz -- --seconds 20 --seed N` replays it.
test('hostile requests: no 5xx, no crash, bounded memory, slow senders cut off, valid requests still served',
  { skip: process.env.TRENT_TEST_DATABASE_URL ? 'the wire does not depend on the store; the SQLite pass covers it' : false }, async (t) => {
    const reports = await fuzzBothPostures(20, randomInt(2 ** 31), 16);
    for (const r of reports) t.diagnostic(summary(r));
    for (const r of reports) {
      assert.deepEqual(r.failures, [], `${r.posture} posture, seed ${r.seed}`);
      assert.ok(r.requests > 500, `only ${r.requests} requests in the ${r.posture} posture`);
    }
  });
