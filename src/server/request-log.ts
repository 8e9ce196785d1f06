import type { RequestLogFacts } from '../protocol/pipeline.js';
import { jsonMember } from '../util/json-text.js';
import { jsonLineWriter, type LogFormat, type Logger } from '../util/log.js';

/** One answered request, as the HTTP server saw it. */
export interface LoggedRequest {
  /** The KMS operation, or for Trent's own endpoints the method and path. */
  readonly what: string;
  readonly status: number;
  /** The AWS error name, when the answer is one. */
  readonly errorType: string | undefined;
  readonly ms: number;
  readonly facts: RequestLogFacts | undefined;
  readonly sourceIp: string | undefined;
}

export type RequestLog = (request: LoggedRequest) => void;

/**
 * The request log, at info: in the `line` format (dev) one short line a person can follow,
 * `Encrypt 1234abcd-… 200 2ms`, a refusal with the policy statement that decided; in `json` (serve) the fields a log pipeline filters on: request ID (also in the
 * answer's x-amzn-RequestId header), caller, operation, outcome (`ok` or the error's name), status, latency. Built
 * from what the pipeline says of the request, never from its input: an input may hold a plaintext.
 */
export function requestLog(format: LogFormat, logger: Logger): RequestLog {
  if (format === 'line') {
    return (r) => {
      if (!logger.isLevelEnabled('info')) return;
      const why = r.facts?.detail === undefined ? '' : ` (${r.facts.detail})`;
      logger.info(`${r.what} ${r.facts?.keyId ?? '-'} ${r.status}${r.errorType ? ` ${r.errorType}` : ''}${why} ${Math.round(r.ms)}ms`);
    };
  }
  const write = jsonLineWriter(logger);
  return (r) => {
    if (!logger.isLevelEnabled('info')) return;
    const caller = r.facts?.caller;
    const outcome = r.errorType ?? (r.status < 400 ? 'ok' : `HTTP ${r.status}`);
    const latencyMs = Math.round(r.ms * 1000) / 1000;
    // pino's record, level 30 (info), its fields in the order below, undefined ones left out, msg last.
    const line = `{"level":30,"time":${Date.now()}${jsonMember('requestId', r.facts?.requestId)}${jsonMember('operation', r.what)}` +
      `${jsonMember('keyId', r.facts?.keyId)}${jsonMember('caller', caller?.principalArn)}${jsonMember('accessKeyId', caller?.accessKeyId)}` +
      `${jsonMember('sourceIp', r.sourceIp)}${jsonMember('outcome', outcome)}${jsonMember('decidedBy', r.facts?.detail)}` +
      `${jsonMember('status', r.status)}${jsonMember('latencyMs', latencyMs)},"msg":"request"}\n`;
    write(line);
  };
}
