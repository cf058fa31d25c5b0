import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import type { CliContext } from '../context.js';
import { parseByteSize, parsePositiveInt } from './hash.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface ServeFlags {
  host: string;
  port: string;
  db?: string;
  lists?: string;
  workers?: string;
  maxUpload: string;
  maxPixels?: string;
  maxInFlight?: string;
  tlsCert?: string;
  tlsKey?: string;
  auth: boolean;
  allowFetchHost?: string[];
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'];

/** `hashsieve serve`: the HMA-compatible HTTP matching service. */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description("HTTP matching service speaking Hasher-Matcher-Actioner's OpenMediaMatch API (hash, lookup, compare, banks)")
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0 = any free port)', '5000')
    .option('--db <path>', 'hash-list database (default: $HASHSIEVE_DB, else $XDG_DATA_HOME/hashsieve/lists.db)')
    .option('--lists <names>', 'comma-separated lists (or bank names) to serve (default: all)')
    .option('--workers <n>', `hash pool threads (default: the core count, ${availableParallelism()} here)`)
    .option('--max-upload <size>', 'largest upload or fetched body (e.g. 50M); larger is 413', '50M')
    .option('--max-pixels <n>', 'largest image (width x height) an upload may decode to')
    .option('--max-in-flight <n>', 'uploads hashing or queued at once before 503 + Retry-After (default: 4 per worker)')
    .option('--tls-cert <file>', 'serve HTTPS with this PEM certificate (needs --tls-key)')
    .option('--tls-key <file>', 'the PEM private key for --tls-cert')
    .option('--no-auth', 'accept requests without a bearer token (only with a loopback --host)')
    .option('--allow-fetch-host <host>', 'let url= parameters fetch from this host (repeatable; default: fetching is off)', collect)
    .option('--log-level <level>', `request log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .addHelpText(
      'after',
      '\nTokens: "hashsieve token create NAME --scopes lookup,curate" prints one; send it as "Authorization: Bearer TOKEN".\n' +
        'Every route but /status/live needs a token unless --no-auth is given with a loopback --host.\n',
    )
    .action(async (flags: ServeFlags) => {
      const { createServer, isLoopbackHost } = await import('../../service/server.js');
      const { resolveDbPath } = await import('../../store/paths.js');
      const port = Number(flags.port);
      if (!/^\d+$/.test(flags.port) || port > 65535) throw new UsageError(`Expected a port number 0-65535 for --port but received ${flags.port}`);
      if (!flags.auth && !isLoopbackHost(flags.host)) throw new UsageError('--no-auth is only allowed with a loopback --host (127.0.0.1, ::1, localhost)');
      if (Boolean(flags.tlsCert) !== Boolean(flags.tlsKey)) throw new UsageError('--tls-cert and --tls-key go together');
      if (!LOG_LEVELS.includes(flags.logLevel)) throw new UsageError(`Expected one of ${LOG_LEVELS.join(', ')} for --log-level but received ${flags.logLevel}`);
      const readPem = (file: string, flag: string): Buffer => {
        try {
          return readFileSync(file);
        } catch (e) {
          throw new UsageError(`Cannot read ${flag} ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      };
      const app = await createServer({
        dbPath: resolveDbPath({ db: flags.db }, ctx.env),
        lists: flags.lists ? flags.lists.split(',').map((s) => s.trim()).filter(Boolean) : null,
        workers: flags.workers ? parsePositiveInt('--workers', flags.workers) : undefined,
        maxUploadBytes: parseByteSize('--max-upload', flags.maxUpload),
        maxPixels: flags.maxPixels ? parsePositiveInt('--max-pixels', flags.maxPixels) : undefined,
        maxHashInFlight: flags.maxInFlight ? parsePositiveInt('--max-in-flight', flags.maxInFlight) : undefined,
        auth: flags.auth,
        allowFetchHosts: flags.allowFetchHost ?? [],
        logger: { level: flags.logLevel },
        https: flags.tlsCert && flags.tlsKey ? { cert: readPem(flags.tlsCert, '--tls-cert'), key: readPem(flags.tlsKey, '--tls-key') } : null,
      });
      const address = await app.listen({ host: flags.host, port });
      ctx.stderr.write(`hashsieve serve: listening on ${address}${flags.auth ? '' : ' (no authentication)'}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void app.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
