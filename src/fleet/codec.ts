import type { DecodeLimits } from '../image/decode.js';
import type { HashOptions } from '../signals/types.js';
import type { FfmpegConfig, VideoLimits } from '../video/ffmpeg.js';
import { asFsPath, fromBytes, showPath } from '../scan/fs-path.js';
import type { HashTask, ScannedFile } from '../scan/task.js';

/**
 * A path as base64 of its bytes: a name that is not valid UTF-8 survives the trip through JSON
 * and Redis unchanged. The only place a path is encoded or decoded for the fleet.
 */
export function encodePath(path: string | Uint8Array): string {
  return (typeof path === 'string' ? Buffer.from(path, 'utf8') : Buffer.from(path.buffer, path.byteOffset, path.byteLength)).toString('base64');
}

/** The bytes of an encoded path. */
export function decodePath(encoded: string): Buffer {
  return Buffer.from(encoded, 'base64');
}

/** 2: the video options travel (a worker reading 1 would hash videos with its own defaults). */
export const BATCH_VERSION = 2;

/** A video's sampling and limits as the coordinator set them; where ffmpeg is, each worker knows for itself. */
export interface BatchVideo {
  readonly secondsPerHash?: number;
  readonly limits?: Partial<VideoLimits>;
}

/** A batch job's data: what every file shares, then each file (encoded path, stat wanted). */
export interface BatchJob {
  readonly v: typeof BATCH_VERSION;
  readonly signals: readonly string[];
  readonly options: HashOptions;
  readonly limits: Partial<DecodeLimits>;
  readonly video: BatchVideo;
  /** [encoded path, 1 when the worker must report the file's size and mtime]. */
  readonly files: readonly (readonly [string, 0 | 1])[];
}

/** A file's answer in a job's return value: a ScannedFile without its path (the job holds it). */
export type WireResult = Omit<ScannedFile, 'path'>;

/**
 * The batch of `tasks`, which share `template`'s signals and options. Not sent: the known-good
 * digests (lists stay on the coordinator, which applies them to the results), the coordinator's
 * ffmpeg path, and the pool's own bookkeeping (`started`).
 */
export function encodeBatch(template: Omit<HashTask, 'path' | 'stat' | 'started'>, tasks: readonly HashTask[]): BatchJob {
  // Bytes in memory would be hashed as the file at their label: a fleet hashes files by path only.
  if (tasks.some((t) => t.bytes !== undefined)) throw new Error('A fleet batch carries paths: a file held in memory cannot be sent');
  const v = template.video;
  return {
    v: BATCH_VERSION,
    signals: template.signals,
    options: template.options,
    limits: template.limits,
    video: { ...(v?.secondsPerHash !== undefined && { secondsPerHash: v.secondsPerHash }), ...(v?.limits && { limits: v.limits }) },
    files: tasks.map((t) => [encodePath(t.path), t.stat ? 1 : 0] as const),
  };
}

/** What the worker adds to every task of a batch: its own ffmpeg (default: $HASHSIEVE_FFMPEG, then PATH). */
export interface WorkerSide {
  readonly ffmpeg?: FfmpegConfig;
}

/** A batch of another format: coordinator and worker run different hashsieve versions. */
export class BatchVersionError extends Error {
  override readonly name = 'BatchVersionError';
}

/** The tasks of a batch, with each path mapped (for a worker that mounts the storage elsewhere). */
export function decodeBatch(job: BatchJob, mapPath: (bytes: Buffer) => Buffer = (b) => b, side: WorkerSide = {}): HashTask[] {
  if (job === null || typeof job !== 'object' || !Array.isArray(job.files)) throw new BatchVersionError('Not a hashsieve batch');
  if (job.v !== BATCH_VERSION || job.video === null || typeof job.video !== 'object') {
    throw new BatchVersionError(
      `The coordinator sent a batch of format ${String(job.v)} and this worker reads format ${BATCH_VERSION}: run the same hashsieve version on the coordinator and every worker`,
    );
  }
  const video = { ...job.video, ...(side.ffmpeg && { ffmpeg: side.ffmpeg }) };
  return job.files.map(([p, stat]) => ({
    // A path that is not UTF-8 stays a Buffer, which every fs call accepts.
    path: fromBytes(mapPath(decodePath(p))),
    signals: job.signals,
    options: job.options,
    limits: job.limits,
    video,
    ...(stat === 1 && { stat: true }),
  }));
}

export function encodeResult(r: ScannedFile): WireResult {
  const { path: _path, ...rest } = r;
  return rest;
}

/** A worker's answer with the coordinator's own path put back (shown as text, as the local pool's results are). */
export function decodeResult(path: string | Uint8Array, w: WireResult): ScannedFile {
  return { ...w, path: typeof path === 'string' ? path : showPath(asFsPath(path)) };
}

/**
 * `FROM=TO` prefixes: a path equal to FROM, or starting with FROM and then `/`, has FROM's bytes
 * replaced by TO's (first match wins); `/mnt/a` maps `/mnt/a/x`, never `/mnt/ab/x`.
 */
export interface PathMapping {
  readonly from: Buffer;
  readonly to: Buffer;
}

const SLASH = 0x2f;

export function mapPath(bytes: Buffer, mappings: readonly PathMapping[]): Buffer {
  for (const m of mappings) {
    const n = m.from.length;
    const boundary = bytes.length === n || m.from[n - 1] === SLASH || bytes[n] === SLASH;
    if (bytes.length >= n && boundary && bytes.subarray(0, n).equals(m.from)) {
      return Buffer.concat([m.to, bytes.subarray(m.from.length)]);
    }
  }
  return bytes;
}
