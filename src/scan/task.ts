import type { VideoHashOptions } from '../video/hash.js';
import type { DecodeLimits } from '../image/decode.js';
import type { FileHashResult } from '../results.js';
import type { HashOptions } from '../signals/types.js';
import type { KnownGoodSet } from './known-good.js';

/** What the main thread sends a worker for one file: plain data, cloned cheaply. */
export interface HashTask {
  /** Text, or the bytes of a name that is not UTF-8 (a Buffer, which arrives in the worker as a Uint8Array). */
  readonly path: string | Uint8Array;
  /** Signal names (objects with functions cannot cross threads; the worker looks them up). */
  readonly signals: readonly string[];
  readonly options: HashOptions;
  /** Overrides of the decoder's default limits. */
  readonly limits: Partial<DecodeLimits>;
  /** Video files: sampling, limits, where ffmpeg is. */
  readonly video?: Omit<VideoHashOptions, 'signal'>;
  /**
   * BigInt64s the worker sets when it starts the task: [0] process.hrtime.bigint() (the monotonic
   * clock), so a timeout never counts time in the queue; [1] (when present) its threadId, so the
   * pool knows which files share a thread.
   */
  readonly started?: SharedArrayBuffer;
  /** The walk did not stat this file (WalkOptions.lazyStat): the worker reports its size and mtime. */
  readonly stat?: boolean;
  /** Hash these bytes (an upload held in memory) instead of reading `path`, which is then only a label. */
  readonly bytes?: Uint8Array;
  /** Digests that mark a file known-good: such a file is not decoded (no perceptual hashes). */
  readonly knownGood?: KnownGoodSet;
}

/** A worker's answer: the hashes, and with HashTask.stat the file's lstat (null when that failed). */
export interface ScannedFile extends FileHashResult {
  readonly stat?: { readonly size: number; readonly mtimeMs: number } | null;
}

/**
 * The pool's first task for every thread: each one checks in on a shared counter and waits for
 * the others, so every thread has loaded its modules before the first file's timeout starts.
 */
export interface WarmUpTask {
  readonly warmUp: SharedArrayBuffer;
  readonly threads: number;
}

export const WARM_UP_WAIT_MS = 60_000;

export function isWarmUp(task: HashTask | WarmUpTask): task is WarmUpTask {
  return 'warmUp' in task;
}
