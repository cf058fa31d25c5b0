import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_FILE_TIMEOUT, parseCount, parseDuration } from '../../scan/options.js';
import type { CliContext } from '../context.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

interface WorkerCommandOptions {
  queue?: string;
  workers?: string;
  pathMap?: string[];
  fileTimeout: string;
  decode: boolean;
  quiet?: boolean;
}

export function register(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Fleet worker: hash the files of queued scan batches (from `scan --queue`) and return their hashes; never receives a hash list')
    .requiredOption('--queue <url>', 'Redis: redis://[user:pass@]host:port[/db], rediss://, or a unix socket path (password also from $HASHSIEVE_REDIS_PASSWORD)')
    .option('--workers <n>', `hashing threads (default: the core count, ${availableParallelism()} here)`)
    .option('--path-map <from=to>', 'the coordinator\'s path prefix FROM is mounted at TO here (repeatable; first match wins)', collect)
    .option('--file-timeout <duration>', 'give up on a file after this long (0 = never): an error row with TIMEOUT', DEFAULT_FILE_TIMEOUT)
    .option('--no-decode', 'benchmark mode (bench fleet): only stat each file; every file gets an UNREADABLE "not read" error row, never a result')
    .option('-q, --quiet', 'no start and stop lines on stderr')
    .addHelpText('after', '\nSIGTERM or Ctrl-C: finish the batches in hand, then exit 0; a second one exits at once (other workers take those batches over).')
    .action(async (opts: WorkerCommandOptions) => {
      await runWorkerCommand(opts, ctx);
    });
}

function parsePathMap(specs: readonly string[]): { from: Buffer; to: Buffer }[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`Expected --path-map like /mnt/evidence=/srv/evidence but received ${JSON.stringify(spec)}`);
    return { from: Buffer.from(spec.slice(0, eq), 'utf8'), to: Buffer.from(spec.slice(eq + 1), 'utf8') };
  });
}

async function runWorkerCommand(opts: WorkerCommandOptions, ctx: CliContext): Promise<void> {
  const threads = opts.workers === undefined ? availableParallelism() : parseCount(opts.workers, '--workers', 1);
  const fileTimeoutMs = parseDuration(opts.fileTimeout, '--file-timeout');
  const pathMap = parsePathMap(opts.pathMap ?? []);
  const { parseRedisUrl, checkRedis } = await import('../../fleet/connection.js');
  const { startFleetWorker } = await import('../../fleet/worker-loop.js');
  const target = parseRedisUrl(opts.queue!, ctx.env.HASHSIEVE_REDIS_PASSWORD);
  await checkRedis(target);
  const say = (m: string): void => {
    if (!opts.quiet) ctx.stderr.write(`hashsieve: ${m}\n`);
  };
  const worker = await startFleetWorker({
    target,
    threads,
    fileTimeoutMs,
    pathMap,
    decode: opts.decode,
    onNotice: (m) => ctx.stderr.write(`hashsieve: ${m}\n`),
  });
  say(`worker ${worker.id} takes batches from ${target.display} with ${threads} thread(s)${opts.decode ? '' : ' (stat only, no decoding)'}`);
  await new Promise<void>((resolve, reject) => {
    let signals = 0;
    const onSignal = (): void => {
      signals += 1;
      if (signals === 1) {
        say('stopping: finishing the batches in hand (signal again to leave them to other workers)');
        worker.stop(false).then(resolve, reject);
      } else {
        say('stopping now: the batches in hand go to other workers when their lock expires');
        worker.stop(true).then(resolve, reject);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  say(`worker ${worker.id} stopped after ${worker.files()} file(s)`);
}
