import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdminResponse } from './admin.js';

/**
 * The web console's built files (console/, built by `npm run build` into dist/console), served by GET and HEAD:
 * `/` is its page, `/assets/…` the files Vite names by content hash. Every file is read once when the server
 * starts and looked up by exact path, so no request path ever reaches the file system (no traversal to guard).
 * Any other request (the KMS API is POST /) goes on to the KMS pipeline as before.
 */
export type ConsoleFiles = ReadonlyMap<string, AdminResponse>;

const CONSOLE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'console');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/**
 * The page may load only its own scripts and styles and call only this server (the KMS and IAM APIs it signs
 * requests for); nothing inline, nothing from elsewhere, no framing, no form posts.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    + "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

/** Hashed assets never change under their name; the page is revalidated so a new build is picked up at once. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/** Reads the built console, if there is one (a checkout not yet built serves none: GET / is then the API's 404 as before). */
export function loadConsoleFiles(dir = CONSOLE_DIR): ConsoleFiles {
  const files = new Map<string, AdminResponse>();
  let names: string[];
  try {
    names = listFiles(dir);
  } catch {
    return files;
  }
  for (const file of names) {
    const type = CONTENT_TYPES[extname(file)];
    if (!type) continue;
    const urlPath = `/${relative(dir, file).split(sep).join('/')}`;
    const hashed = urlPath.startsWith('/assets/');
    const response: AdminResponse = {
      status: 200,
      headers: { 'content-type': type, 'cache-control': hashed ? IMMUTABLE : REVALIDATE, ...SECURITY_HEADERS },
      body: readFileSync(file),
    };
    files.set(urlPath, response);
    if (urlPath === '/index.html') files.set('/', response);
  }
  return files;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** The file a GET or HEAD asks for (the query string ignored), or undefined when the request is not for the console. */
export function consoleFileFor(files: ConsoleFiles, method: string, path: string): AdminResponse | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  return files.get(path.split('?')[0]!);
}
