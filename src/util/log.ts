import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** pino's levels, least to most severe, and `silent`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * `line`: one short line per event for a person at a terminal (dev); `json`: one JSON object per line for a log
 * pipeline (serve), pino's own format.
 */
export type LogFormat = 'line' | 'json';

export function parseLogLevel(text: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(text)) throw new Error(`invalid log level ${text} (one of ${LOG_LEVELS.join(', ')})`);
  return text as LogLevel;
}

/**
 * A logger writing to `fd` (stdout by default). Writes are asynchronous (pino's sonic-boom destination writes off
 * the request's path, and is flushed when the process exits), and grouped: the lines of one turn of the event
 * loop go out in one write, at the end of the turn (linesPerTurn). One write per request line was a sixth of a
 * busy worker's CPU; a line still goes out as soon as the worker is idle, so lines keep the order of the
 * requests a client makes one after another, whichever worker answers each.
 */
export function createLogger(format: LogFormat, level: LogLevel, fd = 1): Logger {
  const destination = linesPerTurn(pino.destination({ dest: fd, sync: false }));
  const options = { level, base: undefined } as const;
  const logger = format === 'json' ? pino(options, destination) : pino(options, lineStream(destination));
  if (format === 'json') jsonDestinations.set(logger, destination);
  return logger;
}

/** Where each `json` logger writes, for lines formatted ahead (jsonLineWriter). */
const jsonDestinations = new WeakMap<Logger, DestinationStream>();

/**
 * A writer of whole JSON records in pino's own shape, formatted ahead, to the destination of `logger` (a `json`
 * logger of createLogger). For the one line written per request, whose fields are known ahead: formatting it by
 * hand costs a fraction of what pino's generic serializer does.
 */
export function jsonLineWriter(logger: Logger): (line: string) => void {
  const destination = jsonDestinations.get(logger);
  if (!destination) throw new Error('jsonLineWriter: not a json logger of createLogger');
  return (line) => destination.write(line);
}

/**
 * The process's logger, for the code that runs without an app at hand (the material pool, the scheduler, the
 * store's connections); `trent dev|serve` replaces it by one made from its options (server/cluster.ts). Until then
 * (Trent imported as a library) it reports only problems.
 */
export let log: Logger = createLogger('line', 'warn');

export function setLog(logger: Logger): void {
  log = logger;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** pino's own fields: the `line` format shows them its own way; any other field follows the message as key=value. */
const OWN_FIELDS = new Set(['level', 'time', 'msg']);

/** Lines written in one turn of the event loop, handed to `out` together at its end (or at exit). */
function linesPerTurn(out: ReturnType<typeof pino.destination>): DestinationStream {
  let pending = '';
  const flush = () => {
    if (pending === '') return;
    out.write(pending);
    pending = '';
  };
  // A line logged just before process.exit() (a fatal error at start) is written too.
  process.once('exit', () => {
    flush();
    try {
      out.flushSync();
    } catch { /* the destination is closed already: nothing more can be written */ }
  });
  return {
    write(line: string) {
      if (pending === '') setImmediate(flush);
      pending += line;
    },
  };
}

/**
 * Rewrites pino's JSON records as `HH:MM:SS.mmm [LEVEL] message key=value…` (info has no level word, so a
 * request reads `12:00:01.234 Encrypt 1234abcd-… 200 2ms`). Parsing each record back costs about a microsecond:
 * pino has no other hook for a format of one's own short of a worker-thread transport.
 */
function lineStream(out: DestinationStream): DestinationStream {
  return {
    write(json: string) {
      const record = JSON.parse(json) as Record<string, unknown>;
      const time = new Date(record.time as number).toISOString().slice(11, 23);
      const level = LEVEL_NAMES[record.level as number];
      let line = `${time} ${level ? `${level} ` : ''}${String(record.msg ?? '')}`;
      for (const [k, v] of Object.entries(record)) {
        if (!OWN_FIELDS.has(k)) line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
      }
      out.write(`${line}\n`);
    },
  };
}
