import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { consoleFileFor, loadConsoleFiles } from '../../src/server/console-files.js';

test('console files: served by exact path with their type and cache rule; other methods, paths and file types are not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trent-console-'));
  try {
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'export {}');
    writeFileSync(join(dir, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dir, 'assets', 'notes.txt'), 'not a type the console ships');
    const files = loadConsoleFiles(dir);

    const page = consoleFileFor(files, 'GET', '/?x=1')!;
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.headers['content-security-policy']!, /^default-src 'none'; script-src 'self'/);
    assert.equal(page.body.toString(), '<!doctype html>');
    assert.equal(consoleFileFor(files, 'HEAD', '/index.html'), page);
    const js = consoleFileFor(files, 'GET', '/assets/index-abc123.js')!;
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(consoleFileFor(files, 'GET', '/assets/index-abc123.css')!.headers['content-type'], 'text/css; charset=utf-8');

    assert.equal(consoleFileFor(files, 'POST', '/'), undefined); // the KMS API
    for (const path of ['/assets/notes.txt', '/assets/../index.html', '/assets', '/assets/', '//index.html', '/INDEX.HTML']) {
      assert.equal(consoleFileFor(files, 'GET', path), undefined, path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('console files: a checkout whose console is not built serves none', () => {
  assert.equal(loadConsoleFiles(join(tmpdir(), 'no-such-console-dir')).size, 0);
});
