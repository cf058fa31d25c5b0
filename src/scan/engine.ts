import { lstat } from 'node:fs/promises';
import type { ReportOutput } from './output.js';
import type { Matcher } from './matcher.js';
import { Interrupted, type Hasher } from './pool.js';
import { hashedRecord, unhashedRecord } from './record.js';
import type { HashTask, ScannedFile } from './task.js';
import type { WalkItem } from './walk.js';
import { pathKey } from './fs-path.js';

export interface EngineJob {
  readonly items: AsyncIterable<WalkItem>;
  readonly hasher: Hasher;
  readonly task: Omit<HashTask, 'path'>;
  readonly matcher: Pick<Matcher, 'match'>;
  /** Files in flight at once (bounded, so the walk never runs ahead of the pool). */
  readonly concurrency: number;
  readonly output: ReportOutput;
  /** Keys (fs-path.ts pathKey) of the files already done (resume): not hashed again. */
  readonly done: ReadonlySet<string>;
  readonly stop: AbortSignal;
  readonly onProgress?: () => void;
}

const STOPPED = Symbol('stopped');

/**
 * `p`, or STOPPED as soon as `signal` aborts. The listener is removed once `p` settles: racing
 * against one long-lived promise instead would pile up a reaction per file for the whole scan.
 */
function orStop<T>(p: Promise<T>, signal: AbortSignal): Promise<T | typeof STOPPED> {
  if (signal.aborted) return Promise.resolve(STOPPED);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(STOPPED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * A file the walk did not stat whose worker could not say (a timeout or a crashed worker
 * answers for it): stat it here, so its row still has a size and mtime.
 */
async function withStat(item: Extract<WalkItem, { kind: 'file' }>, result: ScannedFile): Promise<ScannedFile> {
  if (item.size !== null || result.stat !== undefined) return result;
  try {
    const s = await lstat(item.path);
    return { ...result, stat: { size: s.size, mtimeMs: s.mtimeMs } };
  } catch {
    return { ...result, stat: null };
  }
}

/**
 * Pull items from the lazy walk, keep at most `concurrency` files in the hasher, match each
 * result and hand the record to the output. Memory stays flat: nothing is read ahead of the
 * pool. Returns true when every item was processed, false when stopped.
 */
export async function runEngine(job: EngineJob): Promise<boolean> {
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;

  const submit = (item: Extract<WalkItem, { kind: 'file' }>): void => {
    const p: Promise<void> = job.hasher
      .hash({ ...job.task, path: item.path, ...(item.size === null && { stat: true }) })
      .then((result) => withStat(item, result))
      .then((result) => job.output.add(hashedRecord(item, result, job.matcher.match(result))))
      .catch((e: unknown) => {
        if (!(e instanceof Interrupted)) failure ??= e;
      })
      .finally(() => {
        inflight.delete(p);
        job.onProgress?.();
      });
    inflight.add(p);
  };

  let complete = true;
  const items = job.items[Symbol.asyncIterator]();
  for (;;) {
    const next = await orStop(items.next(), job.stop);
    if (next === STOPPED || job.stop.aborted || failure) {
      complete = false;
      void items.return?.(undefined)?.catch(() => undefined);
      break;
    }
    if (next.done) break;
    const item = next.value;
    if (job.done.size > 0 && job.done.has(pathKey(item.path))) continue;
    if (item.kind !== 'file') {
      job.output.add(unhashedRecord(item));
      job.onProgress?.();
    } else {
      while (inflight.size >= job.concurrency && !job.stop.aborted) await orStop(Promise.race(inflight), job.stop);
      if (job.stop.aborted) {
        complete = false;
        void items.return?.(undefined)?.catch(() => undefined);
        break;
      }
      submit(item);
    }
    await job.output.maybeFlush();
  }
  while (inflight.size > 0) {
    await orStop(Promise.race(inflight), job.stop);
    if (job.stop.aborted) {
      job.hasher.stop();
      await Promise.allSettled([...inflight]);
    }
    await job.output.maybeFlush();
  }
  if (failure) throw failure;
  return complete && !job.stop.aborted;
}
