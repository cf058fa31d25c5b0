/**
 * vPDQ of a video file as the reference (facebook/ThreatExchange vpdq) computes it: ffprobe for
 * the first video stream and its rate, ffmpeg for RGB24 frames, the reference's per-frame PDQ on
 * the frames it would select. Problems with the file are thrown as FileError with a stable code.
 */
import { open } from 'node:fs/promises';
import { FileError, invalidParameterError } from '../errors.js';
import {
  formatFixed3,
  frameModulus,
  frameTimestamp,
  hashRgbFrame,
  referenceFrameRate,
  VPDQ_DEFAULT_SECONDS_PER_HASH,
  type VpdqFrame,
} from '../signals/vpdq.js';
import { formatHex } from '../signals/hex.js';
import {
  Deadline,
  decodeRgbFrames,
  DEFAULT_VIDEO_LIMITS,
  fdInput,
  fileInput,
  probeVideo,
  resolveFfmpeg,
  startDecoder,
  type FfmpegConfig,
  type VideoInput,
  type VideoLimits,
  type VideoProbe,
} from './ffmpeg.js';

export interface VideoHashOptions {
  /** Hash one frame every this many seconds of nominal frame rate; 0 hashes every frame. */
  readonly secondsPerHash?: number;
  readonly limits?: Partial<VideoLimits>;
  readonly ffmpeg?: FfmpegConfig;
  /** Aborting kills ffmpeg and fails the file with TIMEOUT. */
  readonly signal?: AbortSignal;
  /** The container family sniffed from the first bytes (src/video/sniff.ts); ffmpeg then uses that demuxer only. */
  readonly container?: string | null;
}

export interface VideoHashResult {
  /** Sorted by frame number. */
  readonly frames: readonly VpdqFrame[];
  readonly width: number;
  readonly height: number;
  /** The rate the reference uses (avg_frame_rate, else r_frame_rate), frames per second. */
  readonly frameRate: number;
  /** Container name as ffprobe gives it, e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  readonly container: string;
  readonly codec: string;
  /** The seconds per hash used. */
  readonly secondsPerHash: number;
}

/** Options with defaults applied and checked; throws UsageError on a bad value. */
export function resolveVideoOptions(o: VideoHashOptions): { secondsPerHash: number; limits: VideoLimits } {
  const secondsPerHash = o.secondsPerHash ?? VPDQ_DEFAULT_SECONDS_PER_HASH;
  if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) {
    throw invalidParameterError('secondsPerHash', 'finite number >= 0', secondsPerHash);
  }
  const limits: VideoLimits = { ...DEFAULT_VIDEO_LIMITS, ...o.limits };
  for (const [k, v] of Object.entries(limits)) {
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw invalidParameterError(k, 'positive number', v);
  }
  return { secondsPerHash, limits };
}

/** Refuse what the limits exclude before any frame is decoded. */
export function checkProbe(probe: VideoProbe, limits: VideoLimits): number {
  if (!(probe.width > 0 && probe.height > 0)) throw new FileError('DECODE_FAILED', 'The video stream has no frame size');
  if (probe.width * probe.height > limits.maxPixels) {
    throw new FileError('TOO_MANY_PIXELS', `Video frames are ${probe.width}x${probe.height}, over the limit of ${limits.maxPixels} pixels`);
  }
  const rate = referenceFrameRate(probe.avgFrameRate, probe.rFrameRate);
  if (rate === null) throw new FileError('DECODE_FAILED', 'The video stream has no frame rate');
  if (probe.durationSeconds !== null && probe.durationSeconds > limits.maxDurationSeconds) {
    throw new FileError('TOO_LARGE', `The video lasts ${probe.durationSeconds.toFixed(1)} s, over the limit of ${limits.maxDurationSeconds} s`);
  }
  return rate;
}

/** Most decoded frames allowed: the frame limit, and the duration limit at the nominal rate. */
export function frameCap(limits: VideoLimits, frameRate: number): number {
  return Math.max(1, Math.min(limits.maxFrames, Math.ceil(limits.maxDurationSeconds * frameRate) + 1));
}

/**
 * Hash a video file (read by ffmpeg from its path; nothing is written to disk). A name given as
 * bytes (not UTF-8) is opened here and handed to ffmpeg as an inherited descriptor.
 */
export async function hashVideoFile(path: string | Buffer, options: VideoHashOptions = {}): Promise<VideoHashResult> {
  if (typeof path === 'string') return hashVideoInput(fileInput(path, options.container), options);
  const fh = await open(path, 'r');
  try {
    return await hashVideoInput(fdInput(fh.fd, options.container), options);
  } finally {
    await fh.close();
  }
}

/** Hash a video from any ffmpeg input (a file, or the loopback URL of bytes in memory). */
export async function hashVideoInput(input: VideoInput, options: VideoHashOptions = {}): Promise<VideoHashResult> {
  const { secondsPerHash, limits } = resolveVideoOptions(options);
  const programs = resolveFfmpeg(options.ffmpeg);
  const deadline = new Deadline(limits.timeoutMs);
  // ffmpeg starts up beside ffprobe and waits for its filter graph (the probe decides it).
  const early = startDecoder(input, programs);
  let probe: VideoProbe;
  let frameRate: number;
  try {
    probe = await probeVideo(input, programs, deadline, options.signal);
    frameRate = checkProbe(probe, limits);
  } catch (e) {
    await early.kill();
    throw e;
  }
  const modulus = frameModulus(secondsPerHash, frameRate);
  // The reference never drains the decoder when the video is not stream 0 (see docs/video.md):
  // its last `reorderDelay` frames are not hashed. Every frame is delivered so the end is known.
  const quirk = probe.streamIndex !== 0;
  const plan = { probe, modulus: quirk ? 1 : modulus, maxFrames: frameCap(limits, frameRate) };
  const frames: VpdqFrame[] = [];
  let decoded = 0;
  for await (const f of decodeRgbFrames(input, programs, plan, deadline, options.signal, early)) {
    decoded = f.frame + 1;
    if (f.frame % modulus !== 0) continue;
    const r = hashRgbFrame({ data: f.data, width: f.width, height: f.height, channels: 3, stride: f.width * 3 });
    frames.push({ frame: f.frame, quality: r.quality, hash: formatHex(r.hash), timestamp: formatFixed3(frameTimestamp(f.frame, frameRate)) });
  }
  const kept = quirk ? frames.filter((f) => f.frame < decoded - probe.reorderDelay) : frames;
  return {
    frames: kept,
    width: probe.width,
    height: probe.height,
    frameRate,
    container: probe.formatName,
    codec: probe.codec,
    secondsPerHash,
  };
}
