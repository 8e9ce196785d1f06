import { parseArgs } from 'node:util';
import { DEFAULT_ENDPOINT, clockCommand, exportCommand, resetCommand } from './admin-client.js';
import { loadConfig, type ConfigFlags, type Posture } from '../server/config.js';
import { runServer } from '../server/cluster.js';

const USAGE = `Usage:
  trent dev    [options]   start the emulator posture: any AWS credentials are accepted
  trent serve  [options]   start the production posture: SigV4 verified against Trent's access keys
  trent access-key create [--user NAME] [--account-id ID]
  trent access-key list
  trent access-key delete ACCESS_KEY_ID
  trent clock show|advance DURATION [--endpoint URL]   a dev server's clock (DURATION: 30d, 12h, 90m, 45s)
  trent reset [--endpoint URL]                         wipe a dev server's keys, aliases and tags
  trent export [FILE] [--include-material] [--account-id ID] [--region REGION] [--endpoint URL]
                               write a seed file (YAML; stdout without FILE) of a running dev server's keys and
                               aliases; with --include-material, every key's material in the clear (README: Seed files)
  trent export [FILE] --data-dir DIR | --database URL [--account-id ID] [--region REGION]
                               the same, read from a store directly (a serve store's too), never with material
  trent migrate                apply the store's schema migrations (every start does too)
  trent backup FILE            write the store's records to FILE (never the root key)
  trent restore FILE           load FILE into an empty store; the configured root key must match the backup's
  trent xks-proxy COMMAND ...  an XKS proxy (API v1) for external key stores, with its own keys
                               (trent xks-proxy --help)
  trent audit [filters]        print the audit trail, oldest first, one CloudTrail event (JSON) per line;
                               filters: --key-id ID|ARN, --principal ARN|ACCESS_KEY_ID, --event-name NAME,
                               --error-code CODE, --start-time TIME, --end-time TIME (ISO 8601 or epoch seconds;
                               from the start time included to the end time excluded)

Options (environment variable in brackets):
  --host HOST          listen address (TRENT_HOST, default 127.0.0.1)
  --port PORT          listen port (TRENT_PORT, default 4599)
  --data-dir DIR       where the database (with the audit trail) and root key live (TRENT_DATA_DIR, default ./.trent)
  --database URL       postgres://… to keep everything in PostgreSQL, shared by several nodes (TRENT_DATABASE_URL)
  --account-id ID      account of dev callers, and of new access keys (TRENT_ACCOUNT_ID, default 111122223333)
  --region REGION      Region of unsigned dev requests (TRENT_DEFAULT_REGION, default us-east-1)
  --workers N          worker processes sharing the port (TRENT_WORKERS, default: one per core)
  --quota NAME=VALUE   a quota, repeatable (TRENT_QUOTAS, comma-separated): keys-per-region, aliases-per-key,
                       encryption-context-bytes; rates=aws for AWS's request rates, rate.NAME=N for one (README: Quotas)
  --tls-cert FILE      PEM certificate chain: serve HTTPS only, TLS 1.2+ (TRENT_TLS_CERT); SIGHUP reloads it
  --tls-key FILE       PEM private key of --tls-cert (TRENT_TLS_KEY)
  --tls-terminated-by-proxy   a proxy in front ends TLS: plain HTTP off loopback is then allowed in serve
                       (TRENT_TLS_TERMINATED_BY_PROXY=1)
  --admin-credentials-file FILE   serve's first start writes the administrator key here, mode 0600, not to
                       stdout (TRENT_ADMIN_CREDENTIALS_FILE)
  --enforce-policies   dev: enforce key policies, identity policies and grants as serve does, callers known
                       by their access key IDs (TRENT_ENFORCE_POLICIES=1; serve always enforces)
  --seed FILE          dev: make the keys and aliases of this seed file (YAML or JSON; local-kms's seed.yaml too)
                       at each start, those missing only; a file contradicting the store stops the start (TRENT_SEED)
  --log-level LEVEL    trace, debug, info (default: a line per request), warn, error, fatal or silent
                       (TRENT_LOG_LEVEL); dev writes lines for people, serve JSON lines, both to stdout
  TRENT_KEY_POOL       RSA secrets generated ahead, e.g. RSA_4096=16,RSA_2048=16 (default RSA_2048=16,RSA_3072=8,RSA_4096=16)
  --endpoint URL       the dev server of clock and reset (TRENT_ENDPOINT, default ${DEFAULT_ENDPOINT})
Root key: TRENT_ROOT_KEY (base64 of 32 bytes) or TRENT_ROOT_KEY_PASSPHRASE, else DIR/root.key (made on first start).`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  database: { type: 'string' },
  'account-id': { type: 'string' },
  region: { type: 'string' },
  workers: { type: 'string' },
  quota: { type: 'string', multiple: true },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-terminated-by-proxy': { type: 'boolean' },
  'admin-credentials-file': { type: 'string' },
  'enforce-policies': { type: 'boolean' },
  'log-level': { type: 'string' },
  seed: { type: 'string' },
  'include-material': { type: 'boolean' },
  user: { type: 'string' },
  endpoint: { type: 'string' },
  'key-id': { type: 'string' },
  principal: { type: 'string' },
  'event-name': { type: 'string' },
  'error-code': { type: 'string' },
  'start-time': { type: 'string' },
  'end-time': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

async function main(argv: string[]): Promise<number> {
  // Before anything is created: whatever Trent writes (the store, root.key, backups) is its
  // user's alone, 0600 files in 0700 directories (server/data-dir.ts). Inherited by the worker processes.
  process.umask(0o077);
  // Its own options: the proxy is a separate program that shares the binary.
  if (argv[0] === 'xks-proxy') return (await import('../xks/proxy/command.js')).xksProxyCommand(argv.slice(1));
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const flags: ConfigFlags = {
    host: values.host, port: values.port, dataDir: values['data-dir'], databaseUrl: values.database,
    accountId: values['account-id'], defaultRegion: values.region, workers: values.workers,
    quotas: values.quota?.join(','),
    tlsCert: values['tls-cert'], tlsKey: values['tls-key'], adminCredentialsFile: values['admin-credentials-file'],
    tlsTerminatedByProxy: values['tls-terminated-by-proxy'] ? 'true' : undefined,
    enforcePolicies: values['enforce-policies'] ? 'true' : undefined,
    logLevel: values['log-level'],
    seed: values.seed,
  };
  const [command, sub, arg] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'dev':
    case 'serve':
      await runServer(loadConfig(command as Posture, flags));
      return 0;
    // The commands that open the store load it when run: the server's primary process (this one) never does.
    case 'access-key':
      return (await import('./access-key-command.js')).accessKeyCommand(loadConfig('serve', flags), sub, arg, values.user, USAGE);
    case 'migrate':
      return (await import('./database.js')).migrateCommand(loadConfig('serve', flags));
    case 'backup':
      return (await import('./database.js')).backupCommand(loadConfig('serve', flags), sub);
    case 'restore':
      return (await import('./database.js')).restoreCommand(loadConfig('serve', flags), sub);
    case 'audit':
      return (await import('./audit-command.js')).auditCommand(loadConfig('serve', flags), {
        keyId: values['key-id'], principal: values.principal, eventName: values['event-name'], errorCode: values['error-code'],
        startTime: values['start-time'], endTime: values['end-time'],
      });
    case 'clock':
      return clockCommand(values.endpoint ?? process.env.TRENT_ENDPOINT ?? DEFAULT_ENDPOINT, sub, arg);
    case 'reset':
      return resetCommand(values.endpoint ?? process.env.TRENT_ENDPOINT ?? DEFAULT_ENDPOINT);
    case 'export':
      // Naming a store reads it directly (any posture's, never material); otherwise a running dev server is asked.
      if (values['data-dir'] !== undefined || values.database !== undefined) {
        return (await import('./database.js')).exportStoreCommand(loadConfig('serve', flags), sub, values['include-material'] ?? false);
      }
      return exportCommand(values.endpoint ?? process.env.TRENT_ENDPOINT ?? DEFAULT_ENDPOINT, sub, {
        includeMaterial: values['include-material'] ?? false, accountId: values['account-id'], region: values.region,
      });
    default:
      console.error(`unknown command: ${command}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => { if (code !== 0) process.exit(code); },
  (e: unknown) => {
    console.error(`trent: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
