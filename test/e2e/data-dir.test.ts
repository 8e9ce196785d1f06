import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { createTestDatabase, skipWithoutPostgres } from '../support/postgres.js';
import { REPO, credentialsFrom, removeDir, startTrent } from '../support/trent.js';

const parent = mkdtempSync(join(tmpdir(), 'trent-datadir-'));
after(() => rmSync(parent, { recursive: true, force: true }));
let serial = 0;
/** A data directory that does not exist yet, so that Trent makes it. */
const freshDir = () => join(parent, `d${serial++}`);

/** Every file and directory under `dir` (itself included) with its permission bits, as 'name 0600'. */
function modes(dir: string): string[] {
  const all = [dir, ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => join(dir, p))];
  return all.map((p) => `${p.slice(dir.length) || '/'} ${(statSync(p).mode & 0o777).toString(8).padStart(4, '0')}`);
}

/** The lines a start that failed printed (startTrent's error message is "trent exited (code):\n<output>"). */
async function failedStart(dataDir: string): Promise<string[]> {
  const message = await startTrent({ posture: 'serve', dataDir, args: ['--workers', '1'] })
    .then(async (t) => { await t.stop(); return assert.fail('started'); }, (e: Error) => e.message);
  return message.split('\n').slice(1).filter((l) => l !== '');
}

describe('the data directory is its user\'s alone', () => {
  test('a new one is 0700 with every file 0600 (root.key, the store and its WAL, which holds the audit trail)', async () => {
    const dir = freshDir();
    const trent = await startTrent({ posture: 'serve', dataDir: dir, args: ['--workers', '1'] });
    try {
      await trent.client(credentialsFrom(trent.output())).send(new CreateKeyCommand({}));
      const seen = modes(dir);
      assert.ok(seen.some((m) => m.startsWith('/root.key ')), seen.join('\n'));
      for (const m of seen) assert.match(m, m.startsWith('/ ') ? / 0700$/ : / 0600$/);
    } finally {
      await trent.stop();
      await removeDir(dir);
    }
  });

  test('an existing one made readable to others is tightened at start', async () => {
    const dir = freshDir();
    let trent = await startTrent({ posture: 'serve', dataDir: dir, args: ['--workers', '1'] });
    await trent.stop();
    chmodSync(dir, 0o755);
    for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) chmodSync(join(dir, name), 0o755);
    trent = await startTrent({ posture: 'serve', dataDir: dir, args: ['--workers', '1'] });
    try {
      for (const m of modes(dir)) assert.match(m, m.startsWith('/ ') || m.startsWith('/audit ') ? / 0700$/ : / 0600$/);
    } finally {
      await trent.stop();
      await removeDir(dir);
    }
  });
});

describe('a damaged or lost SQLite store is refused, in one line', { skip: process.env.TRENT_TEST_DATABASE_URL ? 'SQLite only' : false }, () => {
  /** A store with an administrator and some keys, stopped. */
  async function usedStore(): Promise<string> {
    const dir = freshDir();
    const trent = await startTrent({ posture: 'serve', dataDir: dir, args: ['--workers', '1'] });
    const kms = trent.client(credentialsFrom(trent.output()));
    for (let i = 0; i < 40; i++) await kms.send(new CreateKeyCommand({ Description: 'x'.repeat(200) }));
    await trent.stop();
    return dir;
  }

  test('an emptied trent.db beside root.key and the audit log does not become a new store with a new administrator', async () => {
    const dir = await usedStore();
    truncateSync(join(dir, 'trent.db'), 0);
    const lines = await failedStart(dir);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^trent: .*trent\.db holds no store, but .*root\.key shows one was here: refusing to make a new one/);
    // Nor does a CLI command make one behind the server's back.
    const cli = spawnSync(process.execPath, [join(REPO, 'bin', 'trent.js'), 'access-key', 'create', '--data-dir', dir], { encoding: 'utf8' });
    assert.equal(cli.status, 1);
    assert.match(cli.stderr, /^trent: .*holds no store, but .* shows one was here/);
    rmSync(dir, { recursive: true });
  });

  test('random bytes over two pages are found at start', async () => {
    const dir = await usedStore();
    const file = join(dir, 'trent.db');
    assert.ok(statSync(file).size > 4 * 4096);
    const fd = openSync(file, 'r+');
    writeSync(fd, randomBytes(2 * 4096), 0, 2 * 4096, 2 * 4096);
    closeSync(fd);
    const lines = await failedStart(dir);
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^trent: .*trent\.db is damaged .*: restore it from a backup$/);
    rmSync(dir, { recursive: true });
  });
});

const postgres = await skipWithoutPostgres();

describe('the first administrator key', () => {
  test('is made exactly once when two nodes start together on an empty database', { skip: postgres }, async () => {
    const env = { TRENT_ROOT_KEY: randomBytes(32).toString('base64') };
    for (let round = 0; round < 5; round++) {
      const db = await createTestDatabase();
      const dirs = [freshDir(), freshDir()];
      const nodes = await Promise.all(dirs.map((dataDir) =>
        startTrent({ posture: 'serve', dataDir, database: db.url, env, args: ['--workers', '1'] })));
      try {
        const firstStarts = nodes.filter((n) => n.output().includes('First start')).length;
        assert.equal(firstStarts, 1, `round ${round}: ${nodes.map((n) => n.output()).join('\n---\n')}`);
      } finally {
        await Promise.all(nodes.map((n) => n.stop()));
        await db.drop();
      }
    }
  });

  test('goes to --admin-credentials-file (0600) instead of stdout when asked', async () => {
    const dataDir = freshDir();
    const file = join(parent, `admin-${serial++}.env`);
    const trent = await startTrent({ posture: 'serve', dataDir, args: ['--workers', '1', '--admin-credentials-file', file] });
    try {
      assert.doesNotMatch(trent.output(), /AWS_SECRET_ACCESS_KEY/);
      assert.match(trent.output(), /its secret is in .*admin-\d+\.env \(mode 0600\)/);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      await trent.client(credentialsFrom(readFileSync(file, 'utf8'))).send(new CreateKeyCommand({}));
    } finally {
      await trent.stop();
      await removeDir(dataDir);
    }
  });
});
