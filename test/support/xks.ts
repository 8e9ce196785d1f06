import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO } from './trent.js';

/** A private CA made with the openssl CLI, and a server certificate it issued for each of `hosts`. */
export interface TestCa {
  readonly caFile: string;
  readonly ca: Buffer;
  readonly certFile: string;
  readonly keyFile: string;
}

export function makeTestCa(dir: string, hosts: readonly string[]): TestCa {
  const p = (name: string) => join(dir, name);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=Trent test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign', '-keyout', p('ca.key'), '-out', p('ca.crt')]);
  run(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${hosts[0]}`,
    '-keyout', p('proxy.key'), '-out', p('proxy.csr')]);
  const ext = p('proxy.ext');
  execFileSync('sh', ['-c', `printf 'subjectAltName=%s\\n' '${hosts.map((h) => `DNS:${h}`).join(',')}' > '${ext}'`]);
  run(['x509', '-req', '-in', p('proxy.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1',
    '-extfile', ext, '-out', p('proxy.crt')]);
  return { caFile: p('ca.crt'), ca: readFileSync(p('ca.crt')), certFile: p('proxy.crt'), keyFile: p('proxy.key') };
}

/** `trent xks-proxy …` run to completion; its standard output. */
export function proxyCli(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [join(REPO, 'bin', 'trent.js'), 'xks-proxy', ...args, '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface RunningProxy {
  readonly port: number;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** A port nothing listens on now (taken and released: good enough for a test that then listens on it). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts `trent xks-proxy serve` on `port` and waits until it listens. */
export async function startProxy(dir: string, ca: TestCa, port: number, uriPrefix: string, extra: string[] = []): Promise<RunningProxy> {
  const child: ChildProcess = spawn(process.execPath, [join(REPO, 'bin', 'trent.js'), 'xks-proxy', 'serve', '--dir', dir,
    '--tls-cert', ca.certFile, '--tls-key', ca.keyFile, '--uri-prefix', uriPrefix, '--port', String(port), ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the proxy did not start:\n${out}`)), 15_000);
    child.stderr!.on('data', () => { if (out.includes('listening on')) { clearTimeout(timer); resolve(); } });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the proxy exited (${code}):\n${out}`)); });
  });
  return {
    port,
    output: () => out,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
