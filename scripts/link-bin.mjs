// npm links the bins of dependencies into node_modules/.bin but not the package's own; link it so that
// `npx trent` and node_modules/.bin/trent work in a checkout after `npm ci`.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('node_modules', '.bin');
mkdirSync(dir, { recursive: true });
const link = join(dir, 'trent');
rmSync(link, { force: true });
symlinkSync(join('..', '..', 'bin', 'trent.js'), link);
