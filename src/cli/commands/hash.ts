import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES } from '../../signals/types.js';
import { invalidArgument, parseCount, parseEnum, parseSize } from '../args.js';
import type { CliContext } from '../context.js';
import { addVideoOptions, parseVideoOptions, type VideoFlags } from '../video-args.js';
import { deprecatedAlias } from '../deprecated.js';
import type { HashFormat } from '../run/hash.js';

export const DEFAULT_ALGO = 'pdq,sha256';
export const DEFAULT_WORKERS = 2;
const FORMATS: readonly HashFormat[] = ['ndjson', 'csv', 'text', 'vpdq', 'pytx'];

interface HashCommandOptions extends VideoFlags {
  algo: string;
  pdqPipeline: string;
  dihedral?: boolean;
  blockhashBits: string;
  format?: string;
  maxPixels?: string;
  maxBytes?: string;
  workers: string;
  null?: boolean;
  include?: string[];
  exclude?: string[];
  followSymlinks?: boolean;
  out?: string;
  force?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function register(program: Command, ctx: CliContext): void {
  const cmd = program
    .command('hash')
    .description('Compute perceptual and exact hashes of image files; one metadata-only record per file')
    .argument('[paths...]', 'files and directories (recursed, names in byte order); - reads paths from stdin, one per line')
    .option('-0, --null', 'paths on stdin are NUL-separated (find -print0)')
    .option('--include <glob>', 'hash only files matching this glob (repeatable; as scan --include)', collect)
    .option('--exclude <glob>', 'skip files and folders matching this glob (repeatable)', collect)
    .option('--follow-symlinks', 'follow symbolic links inside directories (as scan); otherwise they are reported as skipped')
    .option('--algo <signals>', 'comma-separated signals: pdq, blockhash, md5, sha1, sha256', DEFAULT_ALGO)
    .option('--pdq-pipeline <name>', 'PDQ pipeline: fast, fullres or cpp', DEFAULT_HASH_OPTIONS.pdqPipeline)
    .option('--dihedral', 'PDQ: also output the 8 rotation/mirror hashes')
    .option('--blockhash-bits <n>', 'blockhash bits per side, a multiple of 4 (hash length n*n)', String(DEFAULT_HASH_OPTIONS.blockhashBits))
    .option('--format <format>', "ndjson, csv, text, vpdq (one video's frames in the reference's line format) or pytx (python-threatexchange CSV of each video's vPDQ signal string) (default: ndjson when stdout is not a terminal, else text)")
    .option('--max-pixels <n>', 'largest image (width x height) to decode; larger ones get TOO_MANY_PIXELS')
    .option('--max-bytes <size>', 'largest file to decode (e.g. 50M); larger ones get digests only and TOO_LARGE')
    .option('--workers <n>', 'files hashed concurrently (in this process; scan uses worker threads)', String(DEFAULT_WORKERS))
    .option('-o, --out <file>', 'write the records to this new file instead of stdout')
    .option('--force', 'let --out replace an existing file')
    .addHelpText('after', '\nExit codes: 0 every file hashed (skipped links and special files are not errors), 2 usage error or globs that leave no file, 3 some file could not be hashed.');
  addVideoOptions(cmd).action(async (paths: string[], opts: HashCommandOptions) => {
      const { parseSignalList } = await import('../../signals/registry.js');
      const { checkBlockhashBits } = await import('../../signals/blockhash.js');
      if (paths.length === 0) throw new UsageError('Expected at least one path (or - to read paths from stdin)');
      const signals = parseSignalList(opts.algo);
      const blockhashBits = parseCount('--blockhash-bits', opts.blockhashBits);
      try {
        checkBlockhashBits(blockhashBits);
      } catch {
        throw invalidArgument('--blockhash-bits', 'a multiple of 4 between 4 and 64', opts.blockhashBits);
      }
      const video = parseVideoOptions(opts);
      const format = opts.format ? parseEnum('--format', opts.format, FORMATS) : ctx.stdout.isTTY && !opts.out ? 'text' : 'ndjson';
      if (format === 'vpdq') {
        const { resolveFfmpeg } = await import('../../video/ffmpeg.js');
        resolveFfmpeg(video.ffmpeg);
      }
      const run = {
        inputs: paths,
        nul: opts.null === true,
        walk: { followSymlinks: opts.followSymlinks === true, include: opts.include ?? [], exclude: opts.exclude ?? [], maxFileSize: null },
        out: opts.out ?? null,
        force: opts.force === true,
        signals,
        format,
        workers: parseCount('--workers', opts.workers),
        request: {
          signals,
          hashOptions: {
            pdqPipeline: parseEnum('--pdq-pipeline', opts.pdqPipeline, PDQ_PIPELINES),
            dihedral: Boolean(opts.dihedral),
            blockhashBits,
          },
          limits: {
            ...(opts.maxPixels !== undefined && { maxPixels: parseCount('--max-pixels', opts.maxPixels) }),
            ...(opts.maxBytes !== undefined && { maxBytes: parseSize('--max-bytes', opts.maxBytes) }),
          },
          video,
        },
      } as const;
      const { runHash } = await import('../run/hash.js');
      await runHash(run, ctx);
    });
  deprecatedAlias(cmd, ctx, '-j, --jobs <n>', '--workers');
}

