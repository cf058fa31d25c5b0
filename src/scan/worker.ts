import { lstatSync, type Stats } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { hashBuffer, hashFile } from '../hash.js';
import { decodeOnPoolThreads } from '../image/decode.js';
import { isKnownGood } from './known-good.js';
import { isPoolFileTask, isWarmUp, WARM_UP_WAIT_MS, type HashTask, type JobSpec, type NeedJob, type PoolFileTask, type ScannedFile, type WarmUpTask } from './task.js';
import { asFsPath, type FsPath } from './fs-path.js';

if (!isMainThread) decodeOnPoolThreads();

/** Piscina task: read, decode once and hash one file. Returns hashes only, never pixels. */
export default function hashTask(task: HashTask): Promise<ScannedFile>;
export default function hashTask(task: HashTask | PoolFileTask | WarmUpTask): Promise<ScannedFile | NeedJob | null>;
export default async function hashTask(task: HashTask | PoolFileTask | WarmUpTask): Promise<ScannedFile | NeedJob | null> {
  if (isWarmUp(task)) {
    const arrived = new Int32Array(task.warmUp);
    Atomics.add(arrived, 0, 1);
    Atomics.notify(arrived, 0);
    const deadline = Date.now() + WARM_UP_WAIT_MS;
    for (let n = Atomics.load(arrived, 0); n < task.threads && Date.now() < deadline; n = Atomics.load(arrived, 0)) {
      Atomics.wait(arrived, 0, n, deadline - Date.now());
    }
    return null;
  }
  const started = startTask(task);
  return started === null ? { needJob: (task as PoolFileTask).job } : hashStarted(started);
}

/** Jobs this thread holds, oldest first; a few, as the pool sends a job again to a thread that lacks it. */
const jobs = new Map<number, { readonly spec: JobSpec; readonly slots: BigInt64Array }>();
const JOBS_KEPT = 8;
const THREAD = BigInt(threadId);

/**
 * Record that this thread starts the file (HashTask.started, or the pool's start slot) and return
 * its whole task; null, recording nothing, when the file's job is not held here.
 */
export function startTask(task: HashTask | PoolFileTask): HashTask | null {
  if (!isPoolFileTask(task)) {
    if (task.started) {
      const started = new BigInt64Array(task.started);
      if (started.length > 1) Atomics.store(started, 1, THREAD);
      Atomics.store(started, 0, process.hrtime.bigint());
    }
    return task;
  }
  let job = jobs.get(task.job);
  if (job === undefined && task.define !== undefined) {
    job = { spec: task.define, slots: new BigInt64Array(task.define.slots) };
    jobs.set(task.job, job);
    if (jobs.size > JOBS_KEPT) jobs.delete(jobs.keys().next().value!);
  }
  if (job === undefined) return null;
  Atomics.store(job.slots, 2 * task.slot + 1, THREAD);
  Atomics.store(job.slots, 2 * task.slot, process.hrtime.bigint());
  const s = job.spec;
  return {
    path: task.path,
    signals: s.signals,
    options: s.options,
    limits: s.limits,
    ...(s.video && { video: s.video }),
    ...(s.knownGood && { knownGood: s.knownGood }),
    ...(task.stat && { stat: true }),
    ...(task.bytes && { bytes: task.bytes }),
  };
}

/** Hash a file startTask has started. */
export async function hashStarted(task: HashTask): Promise<ScannedFile> {
  if (task.bytes) return hashBuffer(task.bytes, { path: typeof task.path === 'string' ? task.path : undefined, signals: task.signals, hashOptions: task.options, limits: task.limits });
  const path = asFsPath(task.path);
  const st = task.stat ? lstatOf(path) : undefined;
  const result = await hashFile(path, {
    signals: task.signals,
    hashOptions: task.options,
    limits: task.limits,
    ...(task.video && { video: task.video }),
    // Synchronous on a pool thread (the other file it holds decodes off-thread meanwhile; a hung
    // mount is caught by --file-timeout); `--workers 0` runs this on the main thread, which keeps
    // asynchronous reads.
    syncReads: !isMainThread,
    ...(task.knownGood && task.knownGood.length > 0 && { skipDecode: (digests) => isKnownGood(task.knownGood!, digests) }),
    // One stat per file: the lstat of a regular file is its stat.
    ...(st?.isFile() && { knownStat: st }),
  });
  return st === undefined ? result : { ...result, stat: st && { size: st.size, mtimeMs: st.mtimeMs } };
}

/**
 * The lstat of a file the walk did not stat (null when that failed). Synchronous: a few µs on
 * this thread, where the main thread's asynchronous lstat cost tens (a hung mount is caught by
 * --file-timeout).
 */
function lstatOf(path: FsPath): Stats | null {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
