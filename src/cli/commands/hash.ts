import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_HASH_OPTIONS, type PdqPipeline } from '../../signals/types.js';
import type { CliContext } from '../context.js';
import type { HashFormat } from '../hash-run.js';

export const DEFAULT_ALGO = 'pdq,sha256';
export const DEFAULT_JOBS = 2;
const PIPELINES: readonly PdqPipeline[] = ['fast', 'fullres', 'cpp'];
const FORMATS: readonly HashFormat[] = ['ndjson', 'csv', 'text'];
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

interface HashCommandOptions {
  algo: string;
  pdqPipeline: string;
  dihedral?: boolean;
  blockhashBits: string;
  format?: string;
  maxPixels?: string;
  maxBytes?: string;
  jobs: string;
  null?: boolean;
  include?: string[];
  exclude?: string[];
  followSymlinks?: boolean;
  out?: string;
  force?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

function received(flag: string, expected: string, value: string): UsageError {
  return new UsageError(`Expected ${expected} for ${flag} but received ${value}`);
}

export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw received(flag, 'positive integer', value);
  return n;
}

/** "4096", "50M", "2G" (binary units). */
export function parseByteSize(flag: string, value: string): number {
  const m = /^(\d+)\s*([KMG]?)i?B?$/i.exec(value.trim());
  const n = m ? Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()] : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw received(flag, 'positive byte size (e.g. 4096, 50M, 2G)', value);
  return n;
}

function oneOf<T extends string>(flag: string, allowed: readonly T[], value: string): T {
  if (!allowed.includes(value as T)) throw received(flag, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

export function register(program: Command, ctx: CliContext): void {
  program
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
    .option('--format <format>', 'ndjson, csv or text (default: ndjson when stdout is not a terminal, else text)')
    .option('--max-pixels <n>', 'largest image (width x height) to decode; larger ones get TOO_MANY_PIXELS')
    .option('--max-bytes <size>', 'largest file to decode (e.g. 50M); larger ones get digests only and TOO_LARGE')
    .option('-j, --jobs <n>', 'files hashed concurrently', String(DEFAULT_JOBS))
    .option('-o, --out <file>', 'write the records to this new file instead of stdout')
    .option('--force', 'let --out replace an existing file')
    .addHelpText('after', '\nExit codes: 0 every file hashed (skipped links and special files are not errors), 2 usage error or globs that leave no file, 3 some file could not be hashed.')
    .action(async (paths: string[], opts: HashCommandOptions) => {
      const { parseSignalList } = await import('../../signals/registry.js');
      const { checkBlockhashBits } = await import('../../signals/blockhash.js');
      if (paths.length === 0) throw new UsageError('Expected at least one path (or - to read paths from stdin)');
      const signals = parseSignalList(opts.algo);
      const blockhashBits = parsePositiveInt('--blockhash-bits', opts.blockhashBits);
      try {
        checkBlockhashBits(blockhashBits);
      } catch {
        throw received('--blockhash-bits', 'a multiple of 4 between 4 and 64', opts.blockhashBits);
      }
      if (opts.out && !opts.force && existsSync(opts.out)) throw new UsageError(`${opts.out} already exists: add --force to overwrite it`);
      const run = {
        inputs: paths,
        nul: opts.null === true,
        walk: { followSymlinks: opts.followSymlinks === true, include: opts.include ?? [], exclude: opts.exclude ?? [], maxFileSize: null },
        out: opts.out ?? null,
        force: opts.force === true,
        signals,
        format: opts.format ? oneOf('--format', FORMATS, opts.format) : ctx.stdout.isTTY && !opts.out ? 'text' : 'ndjson',
        jobs: parsePositiveInt('--jobs', opts.jobs),
        request: {
          signals,
          hashOptions: {
            pdqPipeline: oneOf('--pdq-pipeline', PIPELINES, opts.pdqPipeline),
            dihedral: Boolean(opts.dihedral),
            blockhashBits,
          },
          limits: {
            ...(opts.maxPixels !== undefined && { maxPixels: parsePositiveInt('--max-pixels', opts.maxPixels) }),
            ...(opts.maxBytes !== undefined && { maxBytes: parseByteSize('--max-bytes', opts.maxBytes) }),
          },
        },
      } as const;
      const { runHash } = await import('../hash-run.js');
      await runHash(run, ctx);
    });
}
