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

export function isWarmUp(task: object): task is WarmUpTask {
  return 'warmUp' in task;
}

/** What every file of one job shares: sent to a pool thread once, not with each file. */
export interface JobSpec {
  readonly signals: HashTask['signals'];
  readonly options: HashTask['options'];
  readonly limits: HashTask['limits'];
  readonly video?: HashTask['video'];
  readonly knownGood?: HashTask['knownGood'];
  /**
   * The pool's start slots: BigInt64 pairs the worker sets when it starts a file, [2i] its
   * process.hrtime.bigint() and [2i + 1] its threadId (see HashTask.started).
   */
  readonly slots: SharedArrayBuffer;
}

/** The pool's message for one file: its job by id, and the job itself when the thread may not have it. */
export interface PoolFileTask {
  readonly path: HashTask['path'];
  readonly stat?: true;
  readonly bytes?: Uint8Array;
  readonly job: number;
  /** The file's pair of BigInt64s in JobSpec.slots. */
  readonly slot: number;
  readonly define?: JobSpec;
}

/** A thread's answer to a file whose job it does not hold (a new or replaced thread): send it again with `define`. */
export interface NeedJob {
  readonly needJob: number;
}

export function isPoolFileTask(task: object): task is PoolFileTask {
  return 'job' in task;
}

export function isNeedJob(answer: unknown): answer is NeedJob {
  return typeof answer === 'object' && answer !== null && 'needJob' in answer;
}
