import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_HASH_OPTIONS, type PdqPipeline } from '../../signals/types.js';
import type { CliContext } from '../context.js';
import type { HashFormat } from '../hash-run.js';

export const DEFAULT_ALGO = 'pdq,sha256';
export const DEFAULT_JOBS = 2;
const PIPELINES: readonly PdqPipeline[] = ['fast', 'fullres', 'cpp'];
const FORMATS: readonly HashFormat[] = ['ndjson', 'csv', 'text', 'vpdq'];
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
  secondsPerHash: string;
  maxVideoDuration?: string;
  maxVideoFrames?: string;
  videoTimeout?: string;
  ffmpeg?: string;
}

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
    .argument('[paths...]', 'files and directories (recursed, sorted); - reads paths from stdin, one per line')
    .option('--algo <signals>', 'comma-separated signals: pdq, blockhash, md5, sha1, sha256', DEFAULT_ALGO)
    .option('--pdq-pipeline <name>', 'PDQ pipeline: fast, fullres or cpp', DEFAULT_HASH_OPTIONS.pdqPipeline)
    .option('--dihedral', 'PDQ: also output the 8 rotation/mirror hashes')
    .option('--blockhash-bits <n>', 'blockhash bits per side, a multiple of 4 (hash length n*n)', String(DEFAULT_HASH_OPTIONS.blockhashBits))
    .option('--format <format>', 'ndjson, csv, text, or vpdq (one video\'s frames in the reference\'s line format) (default: ndjson when stdout is not a terminal, else text)')
    .option('--max-pixels <n>', 'largest image (width x height) to decode; larger ones get TOO_MANY_PIXELS')
    .option('--max-bytes <size>', 'largest file to decode (e.g. 50M); larger ones get digests only and TOO_LARGE')
    .option('-j, --jobs <n>', 'files hashed concurrently', String(DEFAULT_JOBS))
    .option('--seconds-per-hash <s>', 'video: hash one frame every s seconds of nominal frame rate; 0 = every frame', '1')
    .option('--max-video-duration <s>', 'video: longest video in seconds; longer ones get TOO_LARGE')
    .option('--max-video-frames <n>', 'video: most decoded frames; more get TOO_LARGE')
    .option('--video-timeout <s>', 'video: seconds allowed per video before ffmpeg is stopped (TIMEOUT)')
    .option('--ffmpeg <path>', 'video: the ffmpeg program (default: $HASHSIEVE_FFMPEG, then PATH; ffprobe beside it)')
    .addHelpText('after', '\nExit codes: 0 every file hashed, 2 usage error, 3 some file could not be hashed.')
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
      const video = videoOptions(opts);
      const format = opts.format ? oneOf('--format', FORMATS, opts.format) : ctx.stdout.isTTY ? 'text' : 'ndjson';
      if (format === 'vpdq') {
        const { resolveFfmpeg } = await import('../../video/ffmpeg.js');
        resolveFfmpeg(video.ffmpeg);
      }
      const run = {
        inputs: paths,
        signals,
        format,
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
          video,
        },
      } as const;
      const { runHash } = await import('../hash-run.js');
      await runHash(run, ctx);
    });
}

/** A number of seconds >= 0 (fractions allowed), e.g. "1", "0.5". */
export function parseSeconds(flag: string, value: string, allowZero: boolean): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !Number.isFinite(n) || (!allowZero && n <= 0)) {
    throw received(flag, allowZero ? 'number of seconds >= 0' : 'positive number of seconds', value);
  }
  return n;
}

function videoOptions(opts: HashCommandOptions) {
  return {
    secondsPerHash: parseSeconds('--seconds-per-hash', opts.secondsPerHash, true),
    limits: {
      ...(opts.maxVideoDuration !== undefined && { maxDurationSeconds: parseSeconds('--max-video-duration', opts.maxVideoDuration, false) }),
      ...(opts.maxVideoFrames !== undefined && { maxFrames: parsePositiveInt('--max-video-frames', opts.maxVideoFrames) }),
      ...(opts.videoTimeout !== undefined && { timeoutMs: parseSeconds('--video-timeout', opts.videoTimeout, false) * 1000 }),
    },
    ...(opts.ffmpeg !== undefined && { ffmpeg: { ffmpegPath: opts.ffmpeg } }),
  };
}
