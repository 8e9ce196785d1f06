import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { REPO } from '../support/trent.js';

/** Which top-level folders of src/ each folder may import (ARCHITECTURE.md's rule; `server` and `cli` wire all). */
const ALLOWED: Record<string, readonly string[]> = {
  model: ['model'],
  util: ['util', 'model'],
  keys: ['keys', 'model', 'util'],
  policy: ['policy', 'model', 'util'],
  store: ['store', 'model', 'util'],
  audit: ['audit', 'model', 'util'],
  protocol: ['protocol', 'model', 'util'],
  ops: ['ops', 'model', 'util', 'keys', 'policy', 'store', 'audit'],
  // Adapters behind ops' ports (custom key stores): they implement an interface of ops, and nothing imports them but server.
  xks: ['xks', 'ops', 'protocol', 'keys', 'util', 'model'],
  pkcs11: ['pkcs11', 'ops', 'model'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('each layer imports only the layers to its right', () => {
  const src = join(REPO, 'src');
  const violations: string[] = [];
  for (const file of sources(src)) {
    const layer = relative(src, file).split('/')[0]!;
    const allowed = ALLOWED[layer];
    if (!allowed) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(src, join(file, '..', m[1]!)).split('/')[0]!;
      if (!allowed.includes(target)) violations.push(`${relative(REPO, file)} imports ${m[1]}`);
    }
  }
  assert.deepEqual(violations, []);
});
