import { execFileSync } from 'node:child_process';
import { renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/bench
const SOURCE = join(HERE, '..', '..', 'bench', 'loadgen.c');
const BINARY = join(HERE, 'loadgen');

function modified(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

let checked = false;

/**
 * The C load generator (bench/loadgen.c), compiled into dist/bench/ the first time it is needed and again
 * whenever the source is newer than the binary: no binary is committed, and `npm run build` (tsc) does not
 * know about C.
 */
export function loadgenBinary(): string {
  if (checked) return BINARY;
  const built = modified(BINARY);
  if (built === undefined || built < statSync(SOURCE).mtimeMs) {
    // Built under a temporary name and renamed, so that a bench started meanwhile never runs half a file.
    const partial = `${BINARY}.${process.pid}`;
    try {
      execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', partial, SOURCE, '-lcrypto'], { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (e) {
      throw new Error(`cannot compile ${SOURCE} (it needs cc and OpenSSL's headers, Debian's gcc and libssl-dev): ${String(e)}`);
    }
    renameSync(partial, BINARY);
  }
  checked = true;
  return BINARY;
}
