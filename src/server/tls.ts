import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Config } from './config.js';

/** TLS 1.2 and 1.3 only: what AWS's endpoints accept. */
const MIN_VERSION = 'TLSv1.2';

/**
 * The certificate chain and key, read from their files now: at start, and again on SIGHUP (a renewed
 * certificate), when a worker swaps them into its listening server without touching open connections.
 * Made into a context here, so that a bad pair fails with one line naming the files, not at the first handshake.
 */
export function readTlsFiles(tls: NonNullable<Config['tls']>): SecureContextOptions {
  let options: SecureContextOptions;
  try {
    options = { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: MIN_VERSION };
    createSecureContext(options);
  } catch (e) {
    throw new Error(`TLS: cannot use ${tls.certFile} and ${tls.keyFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return options;
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const v4 = host.replace(/^::ffff:/i, '');
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return isIP(host) === 6 && /^(0*:)*:?0*1$/.test(host);
}

/**
 * Checked by the primary before anything starts: serve's secrets and signed requests must not cross a network
 * in the clear, so plain HTTP is only for loopback, unless the operator says a proxy in front ends TLS.
 */
export function checkTransport(config: Config): void {
  if (config.tls) {
    readTlsFiles(config.tls);
    return;
  }
  if (config.posture === 'serve' && !config.tlsTerminatedByProxy && !isLoopback(config.host)) {
    throw new Error(`serve on ${config.host} needs TLS: give --tls-cert and --tls-key, or --tls-terminated-by-proxy ` +
      'when a proxy in front of Trent ends TLS');
  }
}
