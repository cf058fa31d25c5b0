import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function register(program: Command, ctx: CliContext): void {
  const fleet = program.command('fleet').description('The scan fleet on Redis: workers and queued scans');
  fleet
    .command('status')
    .description('Workers connected (host, pid, threads, files/s) and each scan\'s batches waiting, active, done and failed')
    .requiredOption('--queue <url>', 'Redis: redis://[user:pass@]host:port[/db], rediss://, or a unix socket path (password also from $HASHSIEVE_REDIS_PASSWORD)')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExit codes: 0 done, 2 usage or fatal error (Redis unreachable or refusing the login).')
    .action(async (opts: { queue: string; json?: boolean }) => {
      const { runFleetStatus } = await import('../run/fleet.js');
      await runFleetStatus(opts, ctx);
    });
}
