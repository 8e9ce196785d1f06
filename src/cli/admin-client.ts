import { writeFileSync } from 'node:fs';

/**
 * `trent clock show|advance DURATION`, `trent reset` and `trent export`: clients of a running dev server's admin endpoints
 * (src/server/admin.ts), so a test script can move time or start over without touching the data directory.
 */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4599';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `30d`, `12h`, `90m`, `45s`, `2w`, or a plain number of seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([smhdw]?)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_SECONDS[m[2] || 's']!;
}

interface ClockState {
  readonly now: string;
  readonly offsetSeconds: number;
}

export async function clockCommand(endpoint: string, sub: string | undefined, arg: string | undefined): Promise<number> {
  if (sub === 'show') return printClock(await call(endpoint, 'GET', '/-/admin/clock'));
  if (sub === 'advance') {
    const seconds = arg === undefined ? undefined : parseDuration(arg);
    if (seconds === undefined) {
      console.error('usage: trent clock advance DURATION (e.g. 30d, 12h, 90m, 45s, or seconds) [--endpoint URL]');
      return 2;
    }
    return printClock(await call(endpoint, 'POST', '/-/admin/clock', { advanceSeconds: seconds }));
  }
  console.error('usage: trent clock show|advance DURATION [--endpoint URL]');
  return 2;
}

export async function resetCommand(endpoint: string): Promise<number> {
  return printClock(await call(endpoint, 'POST', '/-/admin/reset'));
}

/** Writes the seed file the server makes of its keys to `file` (0600: it may hold key material), or to stdout. */
export async function exportCommand(endpoint: string, file: string | undefined,
  request: { includeMaterial: boolean; accountId: string | undefined; region: string | undefined }): Promise<number> {
  const answer = await call<{ seed: string }>(endpoint, 'POST', '/-/admin/export', request);
  if (!answer) return 1;
  if (file === undefined) process.stdout.write(answer.seed);
  else writeFileSync(file, answer.seed, { mode: 0o600 });
  return 0;
}

function printClock(state: ClockState | undefined): number {
  if (!state) return 1;
  console.log(`now ${state.now}\noffset ${state.offsetSeconds}s`);
  return 0;
}

/** The endpoint's JSON answer, or undefined after printing why there is none. */
async function call<T = ClockState>(endpoint: string, method: string, path: string, body?: unknown): Promise<T | undefined> {
  const url = new URL(path, endpoint);
  let res: Response;
  try {
    // POSTs are JSON, even without arguments: the server takes no other type (see src/server/admin.ts).
    res = await fetch(url, method === 'GET' ? { method } : {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
  } catch (e) {
    console.error(`trent: cannot reach ${url.origin}: ${e instanceof Error ? (e.cause as Error | undefined)?.message ?? e.message : String(e)}`);
    return undefined;
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try { message = (JSON.parse(text) as { message?: string }).message ?? text; } catch { /* a plain-text answer */ }
    console.error(`trent: ${method} ${url.href} answered ${res.status}: ${message}`);
    return undefined;
  }
  return JSON.parse(text) as T;
}
