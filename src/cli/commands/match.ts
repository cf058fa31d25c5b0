import type { Command } from 'commander';
import { EXIT, type CliContext } from '../context.js';
import type { MatchCommandOptions } from '../run/match.js';
import { VPDQ_MATCH_HELP } from '../video-args.js';

const collectValues = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, ctx: CliContext): void {
  program
    .command('match')
    .description('Match precomputed hashes against the hash lists in the store (for pipelines that hash elsewhere)')
    .argument(
      '[lines...]',
      'each argument one line "signal hash [id]" (quote it); none or - reads such lines, or `hashsieve hash` NDJSON, from stdin',
    )
    .option('--db <path>', 'hash-list database (default: $HASHSIEVE_DB, else $XDG_DATA_HOME/hashsieve/lists.db)')
    .option('--lists <names>', 'comma-separated list names to match against (default: all)')
    .option('--threshold <spec>', 'largest distance that matches, per signal, e.g. pdq=31,blockhash=12')
    .option('--vpdq-match <spec>', VPDQ_MATCH_HELP)
    .option('--dihedral', 'PDQ: match the 8 dihedral hashes when the input carries them (`hashsieve hash --dihedral`)')
    .option('--categories <names>', 'report only matches of list entries in these categories (comma-separated, repeatable; case-insensitive)', collectValues)
    .option('--exclude-categories <names>', 'never report matches of list entries in these categories, e.g. NEGATIVE_CLASS (comma-separated, repeatable)', collectValues)
    .option('--index-cache <dir>', 'keep built match indexes in this folder and reuse them while the lists are unchanged (default: $HASHSIEVE_INDEX_CACHE, else off)')
    .option('-o, --out <file>', 'write the report to this file instead of stdout')
    .option('--format <format>', 'report format: ndjson, csv or json', 'ndjson')
    .option('--only-matches', 'report only inputs that matched')
    .option('-q, --quiet', 'no summary on stderr')
    .addHelpText('after', '\nExit codes: 0 no match, 1 at least one match, 2 usage error (including a malformed line), 3 error rows (from `hash` records) and no match.')
    .action(async (lines: string[], opts: MatchCommandOptions) => {
      const { runMatchCommand } = await import('../run/match.js');
      const { matched, errors } = await runMatchCommand(lines, opts, ctx);
      ctx.setExitCode(matched > 0 ? EXIT.MATCH : errors > 0 ? EXIT.FILE_ERRORS : EXIT.OK);
    });
}
