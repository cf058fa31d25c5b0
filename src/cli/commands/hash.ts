import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { DEFAULT_HASH_OPTIONS, PDQ_PIPELINES } from '../../signals/types.js';
import { invalidArgument, parseCount, parseDuration, parseEnum, parseSize } from '../args.js';
import type { CliContext } from '../context.js';
import type { HashFormat } from '../run/hash.js';

export const DEFAULT_ALGO = 'pdq,sha256';
export const DEFAULT_JOBS = 2;
const FORMATS: readonly HashFormat[] = ['ndjson', 'csv', 'text', 'vpdq'];

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

export function register(program: Command, ctx: CliContext): void {
  program
    .command('hash')
    .description('Compute perceptual and exact hashes of image files; one metadata-only record per file')
    .argument('[paths...]', 'files and directories (recursed, sorted); - reads paths from stdin, one per line')
    .option('--algo <signals>', 'comma-separated signals: pdq, blockhash, md5, sha1, sha256', DEFAULT_ALGO)
    .option('--pdq-pipeline <name>', 'PDQ pipeline: fast, fullres or cpp', DEFAULT_HASH_OPTIONS.pdqPipeline)
    .option('--dihedral', 'PDQ: also output the 8 rotation/mirror hashes')
    .option('--blockhash-bits <n>', 'blockhash bits per side, a multiple of 4 (hash length n*n)', String(DEFAULT_HASH_OPTIONS.blockhashBits))
    .option('--format <format>', "ndjson, csv, text, or vpdq (one video's frames in the reference's line format) (default: ndjson when stdout is not a terminal, else text)")
    .option('--max-pixels <n>', 'largest image (width x height) to decode; larger ones get TOO_MANY_PIXELS')
    .option('--max-bytes <size>', 'largest file to decode (e.g. 50M); larger ones get digests only and TOO_LARGE')
    .option('-j, --jobs <n>', 'files hashed concurrently', String(DEFAULT_JOBS))
    .option('--seconds-per-hash <s>', 'video: hash one frame every s seconds of nominal frame rate; 0 = every frame', '1')
    .option('--max-video-duration <duration>', 'video: longest video (e.g. 2h, 90m); longer ones get TOO_LARGE')
    .option('--max-video-frames <n>', 'video: most decoded frames; more get TOO_LARGE')
    .option('--video-timeout <duration>', 'video: time allowed per video (e.g. 10m) before ffmpeg is stopped (TIMEOUT)')
    .option('--ffmpeg <path>', 'video: the ffmpeg program (default: $HASHSIEVE_FFMPEG, then PATH; ffprobe beside it)')
    .addHelpText('after', '\nExit codes: 0 every file hashed, 2 usage error, 3 some file could not be hashed.')
    .action(async (paths: string[], opts: HashCommandOptions) => {
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
      const video = videoOptions(opts);
      const format = opts.format ? parseEnum('--format', opts.format, FORMATS) : ctx.stdout.isTTY ? 'text' : 'ndjson';
      if (format === 'vpdq') {
        const { resolveFfmpeg } = await import('../../video/ffmpeg.js');
        resolveFfmpeg(video.ffmpeg);
      }
      const run = {
        inputs: paths,
        signals,
        format,
        jobs: parseCount('--jobs', opts.jobs),
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
}

/** A number of seconds >= 0, fractions allowed: "1", "0.5". */
function parseSeconds(flag: string, raw: string): number {
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n)) throw invalidArgument(flag, 'a number of seconds >= 0 like 1 or 0.5', raw);
  return n;
}

/** A positive duration in milliseconds. */
function positiveDuration(flag: string, raw: string): number {
  const ms = parseDuration(flag, raw);
  if (ms <= 0) throw invalidArgument(flag, 'a positive duration like 90s or 2h', raw);
  return ms;
}

function videoOptions(opts: HashCommandOptions) {
  return {
    secondsPerHash: parseSeconds('--seconds-per-hash', opts.secondsPerHash),
    limits: {
      ...(opts.maxVideoDuration !== undefined && { maxDurationSeconds: positiveDuration('--max-video-duration', opts.maxVideoDuration) / 1000 }),
      ...(opts.maxVideoFrames !== undefined && { maxFrames: parseCount('--max-video-frames', opts.maxVideoFrames) }),
      ...(opts.videoTimeout !== undefined && { timeoutMs: positiveDuration('--video-timeout', opts.videoTimeout) }),
    },
    ...(opts.ffmpeg !== undefined && { ffmpeg: { ffmpegPath: opts.ffmpeg } }),
  };
}
