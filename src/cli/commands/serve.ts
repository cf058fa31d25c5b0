import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { LOG_LEVELS, type ServeFlags } from '../run/serve.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

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
    .option('--batch-threads <n>', 'query threads for /m/lookup_batch, each holding a copy of the indexes (default 0: the main thread answers)', '0')
    .option('--refresh <duration>', 'how often to look for list changes made by other processes, e.g. list import (0 = never)', '30s')
    .option('--log-level <level>', `request log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .addHelpText(
      'after',
      '\nTokens: "hashsieve token create NAME --scopes lookup,curate" prints one; send it as "Authorization: Bearer TOKEN".\n' +
        'Every route but /status/live needs a token unless --no-auth is given with a loopback --host.\n' +
        'Exit codes: 0 stopped by SIGINT or SIGTERM, 2 usage or fatal error.\n',
    )
    .action(async (flags: ServeFlags) => {
      const { runServe } = await import('../run/serve.js');
      await runServe(flags, ctx);
    });
}
