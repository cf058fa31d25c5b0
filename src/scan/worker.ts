import { lstatSync, type Stats } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { hashBuffer, hashFile } from '../hash.js';
import { decodeOnPoolThreads } from '../image/decode.js';
import { isKnownGood } from './known-good.js';
import { isWarmUp, WARM_UP_WAIT_MS, type HashTask, type ScannedFile, type WarmUpTask } from './task.js';
import { asFsPath, type FsPath } from './fs-path.js';

if (!isMainThread) decodeOnPoolThreads();

/** Piscina task: read, decode once and hash one file. Returns hashes only, never pixels. */
export default async function hashTask(task: HashTask | WarmUpTask): Promise<ScannedFile | null> {
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
  if (task.started) {
    const started = new BigInt64Array(task.started);
    if (started.length > 1) Atomics.store(started, 1, BigInt(threadId));
    Atomics.store(started, 0, process.hrtime.bigint());
  }
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
