import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { EXIT, type CliContext } from '../context.js';

const DB_HELP = 'list database (default: $HASHSIEVE_DB, else $XDG_DATA_HOME/hashsieve/lists.db)';
const EXIT_HELP = '\nExit codes: 0 done, 2 usage or fatal error.\n';

async function withTokens<T>(ctx: CliContext, db: string | undefined, fn: (t: import('../../store/tokens.js').TokenStore) => T): Promise<T> {
  const { openStore, resolveDbPath } = await import('../../store/index.js');
  const { TokenStore } = await import('../../store/tokens.js');
  const store = openStore(resolveDbPath({ db }, ctx.env));
  try {
    return fn(new TokenStore(store.db));
  } finally {
    store.close();
  }
}

/** `hashsieve token create|ls|revoke`: API tokens for `hashsieve serve`, stored as digests in the list database. */
export function register(program: Command, ctx: CliContext): void {
  const token = program.command('token').description('Manage bearer tokens for "hashsieve serve" (stored hashed; shown once at creation)');

  token
    .command('create')
    .description('Create a token and print it once (only its sha256 is stored)')
    .argument('<name>', 'a name for the token (shown in the service logs)')
    .option('--scopes <list>', 'comma-separated scopes: lookup (hash, match, compare, status), curate (bank changes)', 'lookup')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', EXIT_HELP)
    .action(async (name: string, flags: { scopes: string; db?: string }) => {
      const { parseScopes } = await import('../../store/tokens.js');
      const scopes = parseScopes(flags.scopes);
      const { token: secret } = await withTokens(ctx, flags.db, (t) => t.create(name, scopes));
      ctx.stdout.write(`${secret}\n`);
      ctx.stderr.write(`Token "${name}" created with scopes ${scopes.join(',')}; it is not shown again.\n`);
    });

  token
    .command('ls')
    .description('List tokens (names, scopes, dates; never the secrets)')
    .option('--db <path>', DB_HELP)
    .option('--json', 'print JSON')
    .addHelpText('after', EXIT_HELP)
    .action(async (flags: { db?: string; json?: boolean }) => {
      const list = await withTokens(ctx, flags.db, (t) => t.list());
      if (flags.json) {
        ctx.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.length === 0) {
        ctx.stdout.write('No tokens.\n');
        return;
      }
      const rows = [['NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...list.map((t) => [t.name, t.scopes.join(','), t.createdAt, t.revokedAt ?? '-'])];
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      ctx.stdout.write(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n') + '\n');
    });

  token
    .command('revoke')
    .description('Revoke a token by name (takes effect within a second)')
    .argument('<name>', 'the token name')
    .option('--db <path>', DB_HELP)
    .addHelpText('after', '\nExit codes: 0 revoked, 2 no live token of that name, usage or fatal error.\n')
    .action(async (name: string, flags: { db?: string }) => {
      const done = await withTokens(ctx, flags.db, (t) => t.revoke(name));
      if (!done) throw new UsageError(`No live token named ${JSON.stringify(name)}`);
      ctx.stderr.write(`Token "${name}" revoked.\n`);
      ctx.setExitCode(EXIT.OK);
    });
}
