import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import type { ScanCommandOptions } from '../run/scan.js';
import type { ScanSummary } from '../../report/types.js';
import { EXIT, type CliContext } from '../context.js';
import { VPDQ_MATCH_HELP } from '../video-args.js';

/** `scan --file-timeout` unless given: long enough for any sane image, short enough to notice a hung mount. */
export const DEFAULT_FILE_TIMEOUT = '120s';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, ctx: CliContext): void {
  program
    .command('scan')
    .description('Hash files and match them against the hash lists in the store; one metadata-only record per file')
    .argument('[paths...]', 'files and directories (recursed); - reads paths from stdin, one per line')
    .option('-0, --null', 'paths on stdin are NUL-separated (find -print0)')
    .option('--include <glob>', 'scan only files matching this glob (repeatable): with a / it matches the path under the input folder, without one the name; ! negates (docs/scan-inputs.md)', collect)
    .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable; same shapes as --include)', collect)
    .option('--follow-symlinks', 'follow symbolic links inside directories (loops are detected); otherwise they are reported as skipped')
    .option('--max-file-size <size>', 'skip files larger than this (e.g. 50M, 2G)')
    .option('--max-pixels <n>', 'largest image (width x height) to decode; larger ones get a TOO_MANY_PIXELS error row')
    .option('--max-bytes <size>', 'largest file to decode (e.g. 50M); larger ones get digests only and a TOO_LARGE error row')
    .option('--workers <n>', `worker threads, each holding up to two files (default: the core count, ${availableParallelism()} here; 0 = hash on the main thread)`)
    .option('--file-timeout <duration>', 'give up on a file after this long (e.g. 30s, 500ms; 0 = never): an error row with TIMEOUT', DEFAULT_FILE_TIMEOUT)
    .option('--db <path>', 'hash-list database (default: $HASHSIEVE_DB, else $XDG_DATA_HOME/hashsieve/lists.db)')
    .option('--lists <names>', 'comma-separated list names to match against (default: all)')
    .option('--algo <signals>', 'signals to compute (default: those the lists hold, plus sha256)')
    .option('--threshold <spec>', 'largest distance that matches, per signal, e.g. pdq=31,blockhash=12 (defaults from each signal)')
    .option('--dihedral', 'PDQ: also match the 8 rotations and mirror images of each file')
    .option('--categories <names>', 'report only matches of list entries in these categories (comma-separated, repeatable; case-insensitive)', collect)
    .option('--exclude-categories <names>', 'never report matches of list entries in these categories, e.g. NEGATIVE_CLASS (comma-separated, repeatable)', collect)
    .option('--index-cache <dir>', 'keep built match indexes in this folder and reuse them while the lists are unchanged (default: $HASHSIEVE_INDEX_CACHE, else off)')
    .option('--pdq-pipeline <name>', 'PDQ pipeline: fast, fullres or cpp (default: the library default)')
    .option('-o, --out <file>', 'write the report to this new file instead of stdout')
    .option('--force', 'let --out replace an existing file')
    .option('--format <format>', 'report format: ndjson, csv, json or dfxml', 'ndjson')
    .option('--only-matches', 'report only files that matched (the summary still counts every file)')
    .option('--summary <file>', 'also write the end-of-scan summary to this file as JSON')
    .option('--manifest <file>', 'write a forensic manifest (versions, lists, thresholds, totals, report sha256) as JSON')
    .option('--checkpoint <file>', 'record progress here so an interrupted scan can be resumed (needs --out)')
    .option('--resume', 'continue the scan recorded in --checkpoint, appending to the same report')
    .option('--case-number <text>', 'case number, recorded in the manifest and the report header (JSON, DFXML)')
    .option('--examiner <name>', 'examiner, recorded in the manifest and the report header (JSON, DFXML)')
    .option('--evidence-id <text>', 'evidence item id, recorded in the manifest and the report header (JSON, DFXML)')
    .option('--notes <text>', 'free notes, recorded in the manifest and the report header (JSON, DFXML)')
    .option('--no-known-good-skip', 'decode and match files whose digest is in a known-good list too (they are still reported known_good unless they match)')
    .option('--share <file>', 'also write the matched files (hashes only, no content) to this file for sharing back')
    .option('--share-format <format>', 'share file format: vics (VICS 2.0 JSON), pytx-csv (python-threatexchange CSV) or hashdeep')
    .option('--share-category <category>', 'category written for every shared file (VICS Category, python-threatexchange category)')
    .option('--include-paths', 'put file paths in the share file (left out by default)')
    .option('--new-from <dir>', 'also share the files in this folder (material the examiner marked as new)')
    .option('--audit <hashdeep-file>', 'audit the tree against this hashdeep list (like hashdeep -a): matched, moved, new and missing files; a failed audit exits 1')
    .option('-q, --quiet', 'no progress line and no summary on stderr')
    .option('--queue <url>', 'fleet: hash on `hashsieve worker` processes through Redis (redis://[user:pass@]host:port[/db], rediss://, or a unix socket path; password also from $HASHSIEVE_REDIS_PASSWORD)')
    .option('--batch-size <n>', 'fleet: files per queued batch (default 50, about 0.2-0.5 s of one core\'s work)')
    .option('--local-workers <n>', 'fleet: threads hashing on this machine too (default 0)')
    .option('--vpdq-match <spec>', VPDQ_MATCH_HELP)
    .option('--seconds-per-hash <s>', 'video: hash one frame every s seconds of nominal frame rate; 0 = every frame', '1')
    .option('--max-video-duration <duration>', 'video: longest video (e.g. 2h, 90m); longer ones get TOO_LARGE')
    .option('--max-video-frames <n>', 'video: most decoded frames; more get TOO_LARGE')
    .option('--ffmpeg <path>', 'video: the ffmpeg program (default: $HASHSIEVE_FFMPEG, then PATH; ffprobe beside it); a video also needs a --file-timeout long enough to decode it; with --queue it serves --local-workers only (each worker uses its own)')
    .addHelpText(
      'after',
      '\nExit codes: 0 no match, 1 at least one match (or a failed --audit), 2 usage or fatal error, 3 file errors and no match, 130 interrupted.',
    )
    .action(async (paths: string[], opts: ScanCommandOptions) => {
      const { runScanCommand } = await import('../run/scan.js');
      const { summary, interrupted, filtered, filesFound, audit } = await runScanCommand(paths, opts, ctx);
      if (!interrupted && filesFound === 0 && filtered > 0) {
        ctx.stderr.write(`hashsieve: --include/--exclude left no file to scan (${filtered} entries filtered out)\n`);
        ctx.setExitCode(EXIT.USAGE);
        return;
      }
      // Globs can leave out files a user expected (`*.png` does not match `A.PNG`): say how many.
      if (!interrupted && filtered > 0) ctx.stderr.write(`hashsieve: ${filtered} entries left out by --include/--exclude (not scanned)\n`);
      ctx.setExitCode(audit && !audit.passed && !interrupted ? EXIT.MATCH : scanExitCode(summary, interrupted));
    });
}

/** 130 interrupted; else 1 on any match; else 3 on any file error; else 0. Skipped files are not errors. */
export function scanExitCode(summary: ScanSummary, interrupted: boolean): number {
  if (interrupted) return EXIT.INTERRUPTED;
  if (summary.statuses.match > 0) return EXIT.MATCH;
  if (summary.statuses.error > 0) return EXIT.FILE_ERRORS;
  return EXIT.OK;
}
