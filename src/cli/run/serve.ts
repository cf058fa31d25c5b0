import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { parseCount, parseDuration, parseSize } from '../args.js';
import type { CliContext } from '../context.js';

export interface ServeFlags {
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
  refresh: string;
  batchThreads: string;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'];

/** Start the service, listen, and run until SIGINT or SIGTERM (then close it and return). */
export async function runServe(flags: ServeFlags, ctx: CliContext): Promise<void> {
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
    workers: flags.workers ? parseCount('--workers', flags.workers) : undefined,
    maxUploadBytes: parseSize('--max-upload', flags.maxUpload),
    maxPixels: flags.maxPixels ? parseCount('--max-pixels', flags.maxPixels) : undefined,
    maxHashInFlight: flags.maxInFlight ? parseCount('--max-in-flight', flags.maxInFlight) : undefined,
    auth: flags.auth,
    allowFetchHosts: flags.allowFetchHost ?? [],
    logger: { level: flags.logLevel },
    refreshIntervalMs: parseDuration('--refresh', flags.refresh),
    batchThreads: parseCount('--batch-threads', flags.batchThreads, 0),
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
}
