/** The video flags `hash` and `scan` share: declared once, parsed once into VideoHashOptions. */
import type { Command } from 'commander';
import type { VideoHashOptions } from '../video/hash.js';
import type { VpdqMatchOptions } from '../video/match.js';
import { invalidArgument, parseCount, parseDuration } from './args.js';

export interface VideoFlags {
  secondsPerHash: string;
  maxVideoDuration?: string;
  maxVideoFrames?: string;
  videoTimeout?: string;
  ffmpeg?: string;
}

/** Add --seconds-per-hash, --max-video-duration, --max-video-frames, --video-timeout and --ffmpeg. */
export function addVideoOptions(cmd: Command): Command {
  return cmd
    .option('--seconds-per-hash <s>', 'video: hash one frame every s seconds of nominal frame rate; 0 = every frame', '1')
    .option('--max-video-duration <duration>', 'video: longest video (e.g. 2h, 90m); longer ones get TOO_LARGE')
    .option('--max-video-frames <n>', 'video: most decoded frames; more get TOO_LARGE')
    .option('--video-timeout <duration>', 'video: time allowed per video (e.g. 10m) before ffmpeg is stopped (TIMEOUT)')
    .option('--ffmpeg <path>', 'video: the ffmpeg program (default: $HASHSIEVE_FFMPEG, then PATH; ffprobe beside it)');
}

/** A number of seconds >= 0, fractions allowed: "1", "0.5". */
function parseSeconds(flag: string, raw: string): number {
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n)) throw invalidArgument(flag, 'a number of seconds >= 0 like 1 or 0.5', raw);
  return n;
}

function positiveDuration(flag: string, raw: string): number {
  const ms = parseDuration(flag, raw);
  if (ms <= 0) throw invalidArgument(flag, 'a positive duration like 90s or 2h', raw);
  return ms;
}

/** The video options these flags ask for (plain data: it crosses to worker threads). */
export function parseVideoOptions(opts: VideoFlags): Omit<VideoHashOptions, 'signal'> {
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

const MATCH_KEYS: Readonly<Record<string, keyof VpdqMatchOptions>> = {
  query: 'queryMatchPercent',
  compared: 'comparedMatchPercent',
  quality: 'minQuality',
};

export const VPDQ_MATCH_HELP = "vPDQ video match: query=80,compared=0,quality=50 (percent of the file's frames that match, percent of the list video's, least frame quality)";

/** "query=80,compared=0,quality=50" → the vPDQ match options it sets (each a number 0..100). */
export function parseVpdqMatch(flag: string, raw: string | undefined): Partial<VpdqMatchOptions> {
  const out: Partial<Record<keyof VpdqMatchOptions, number>> = {};
  if (!raw) return out;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, ...rest] = part.split('=');
    const field = MATCH_KEYS[key?.trim() ?? ''];
    const n = Number(value);
    if (!field || value === undefined || rest.length > 0 || !/^\d+(\.\d+)?$/.test(value.trim()) || n > 100) {
      throw invalidArgument(flag, 'pairs like query=80,compared=0,quality=50 with numbers from 0 to 100', part);
    }
    out[field] = n;
  }
  return out;
}
