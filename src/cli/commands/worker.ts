import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import type { WorkerCommandOptions } from '../run/worker.js';
import { DEFAULT_FILE_TIMEOUT } from './scan.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Fleet worker: hash the files of queued scan batches (from `scan --queue`) and return their hashes; never receives a hash list')
    .requiredOption('--queue <url>', 'Redis: redis://[user:pass@]host:port[/db], rediss://, or a unix socket path (password also from $HASHSIEVE_REDIS_PASSWORD)')
    .option('--workers <n>', `hashing threads (default: the core count, ${availableParallelism()} here)`)
    .option('--path-map <from=to>', 'the coordinator\'s path prefix FROM is mounted at TO here (repeatable; first match wins)', collect)
    .option('--file-timeout <duration>', 'give up on a file after this long (0 = never): an error row with TIMEOUT', DEFAULT_FILE_TIMEOUT)
    .option('--ffmpeg <path>', "video: this machine's ffmpeg program (default: $HASHSIEVE_FFMPEG, then PATH; ffprobe beside it); the coordinator's --ffmpeg is not used here")
    .option('--no-decode', 'benchmark mode (bench fleet): only stat each file; every file gets an UNREADABLE "not read" error row, never a result')
    .option('-q, --quiet', 'no start and stop lines on stderr')
    .addHelpText(
      'after',
      '\nSIGTERM or Ctrl-C: finish the batches in hand, then exit 0; a second one exits at once (other workers take those batches over).\nExit codes: 0 stopped by a signal, 2 usage or fatal error (Redis unreachable or refusing the login).',
    )
    .action(async (opts: WorkerCommandOptions) => {
      const { runWorkerCommand } = await import('../run/worker.js');
      await runWorkerCommand(opts, ctx);
    });
}
