import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KeyFile, type KeyUsage } from './key-file.js';
import { startXksProxy } from './server.js';

export const XKS_PROXY_USAGE = `Usage: trent xks-proxy COMMAND --dir DIR [options]
  serve --tls-cert FILE --tls-key FILE --uri-prefix /PREFIX [--host HOST] [--port PORT] [--max-rps N]
        serve the XKS proxy API v1 over HTTPS under /PREFIX/kms/xks/v1 (default 127.0.0.1:8443)
  create-key [--usage encrypt|decrypt|both|none] [--id ID] [--allow-principal ARN]...
        make an AES-256 key; prints its external key ID (the XksKeyId of CreateKey)
  list-keys                       one line per key: ID, usages, ENABLED/DISABLED
  enable-key ID | disable-key ID  a disabled key answers InvalidStateException
  create-credential               make a SigV4 credential (at most 2, for rotation); prints it as JSON
  show-credentials                print the credentials, secrets included, as JSON lines
  delete-credential ACCESS_KEY_ID
DIR (TRENT_XKS_PROXY_DIR) holds state.json and master.key (or TRENT_XKS_PROXY_MASTER_KEY: base64 of 32 bytes).`;

/** `none` makes the "impotent" key AWS's XKS proxy test client checks refusals with. */
const USAGES: Record<string, KeyUsage[]> = { encrypt: ['ENCRYPT'], decrypt: ['DECRYPT'], both: ['ENCRYPT', 'DECRYPT'], none: [] };

/** `trent xks-proxy …`: the proxy and the administration of its key file. */
export async function xksProxyCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' }, 'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'uri-prefix': { type: 'string' },
      host: { type: 'string' }, port: { type: 'string' }, 'max-rps': { type: 'string' }, usage: { type: 'string' }, id: { type: 'string' },
      'allow-principal': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  const dir = values.dir ?? process.env.TRENT_XKS_PROXY_DIR;
  if (values.help || !command || !dir) {
    console.log(XKS_PROXY_USAGE);
    return values.help ? 0 : 2;
  }
  const keys = new KeyFile(dir);
  switch (command) {
    case 'serve': {
      if (!values['tls-cert'] || !values['tls-key'] || !values['uri-prefix']) throw new Error('serve needs --tls-cert, --tls-key and --uri-prefix');
      const port = Number(values.port ?? 8443);
      const maxRps = values['max-rps'] === undefined ? undefined : Number(values['max-rps']);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid port: ${values.port}`);
      if (maxRps !== undefined && !(Number.isInteger(maxRps) && maxRps > 0)) throw new Error(`invalid --max-rps: ${values['max-rps']}`);
      const proxy = await startXksProxy(keys, {
        host: values.host ?? '127.0.0.1', port, cert: readFileSync(values['tls-cert']), key: readFileSync(values['tls-key']),
        uriPrefix: values['uri-prefix'], maxRps,
      });
      console.error(`trent xks-proxy: listening on https://${values.host ?? '127.0.0.1'}:${proxy.port}${values['uri-prefix']}/kms/xks/v1`);
      await new Promise<void>((resolve) => {
        const stop = () => void proxy.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return 0;
    }
    case 'create-key': {
      const usages = USAGES[values.usage ?? 'both'];
      if (!usages) throw new Error(`--usage is encrypt, decrypt, both or none: ${values.usage}`);
      const id = values.id ?? `trent-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
      console.log(keys.createKey(id, usages, values['allow-principal'] ?? []).id);
      return 0;
    }
    case 'list-keys':
      for (const k of keys.keys()) console.log(`${k.id} ${k.usages.join(',')} ${k.enabled ? 'ENABLED' : 'DISABLED'}`);
      return 0;
    case 'enable-key':
    case 'disable-key':
      if (!arg) throw new Error(`${command} needs the key ID`);
      keys.setEnabled(arg, command === 'enable-key');
      return 0;
    case 'create-credential':
      console.log(JSON.stringify(keys.createCredential()));
      return 0;
    case 'show-credentials':
      for (const c of keys.credentials()) {
        console.log(JSON.stringify({ accessKeyId: c.accessKeyId, secretAccessKey: keys.secretAccessKeyOf(c), createdAt: c.createdAt }));
      }
      return 0;
    case 'delete-credential':
      if (!arg) throw new Error('delete-credential needs the access key ID');
      keys.deleteCredential(arg);
      return 0;
    default:
      console.error(`unknown xks-proxy command: ${command}\n\n${XKS_PROXY_USAGE}`);
      return 2;
  }
}
