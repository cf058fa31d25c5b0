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
 * `wait(p)`: `p`, or STOPPED as soon as `signal` aborts. One abort listener serves the whole run
 * (the engine waits for one thing at a time), so a wait costs no listener of its own; racing
 * against one long-lived promise instead would pile up a reaction per file for the whole scan.
 */
function stopWaits(signal: AbortSignal): { wait<T>(p: Promise<T>): Promise<T | typeof STOPPED>; dispose(): void } {
  let wake: (() => void) | null = null;
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    wait<T>(p: Promise<T>): Promise<T | typeof STOPPED> {
      if (signal.aborted) return Promise.resolve(STOPPED);
      return new Promise((resolve, reject) => {
        wake = () => resolve(STOPPED);
        p.then(resolve, reject);
      });
    },
    dispose: () => signal.removeEventListener('abort', onAbort),
  };
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
  let inflight = 0;
  let failure: unknown = null;
  /** Resolves the current wait for a free slot (set only while the engine waits for one). */
  let freed: (() => void) | null = null;
  const slotFreed = (): Promise<void> => new Promise((resolve) => (freed = resolve));
  const stops = stopWaits(job.stop);

  const hashOne = async (item: Extract<WalkItem, { kind: 'file' }>): Promise<void> => {
    try {
      const scanned = await job.hasher.hash({ ...job.task, path: item.path, ...(item.size === null && { stat: true }) });
      const result = item.size !== null || scanned.stat !== undefined ? scanned : await withStat(item, scanned);
      job.output.add(hashedRecord(item, result, job.matcher.match(result)));
    } catch (e) {
      if (!(e instanceof Interrupted)) failure ??= e;
    } finally {
      inflight -= 1;
      job.onProgress?.();
      freed?.();
      freed = null;
    }
  };

  let complete = true;
  const items = job.items[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await stops.wait(items.next());
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
        while (inflight >= job.concurrency && !job.stop.aborted) await stops.wait(slotFreed());
        if (job.stop.aborted) {
          complete = false;
          void items.return?.(undefined)?.catch(() => undefined);
          break;
        }
        inflight += 1;
        void hashOne(item);
      }
      await job.output.maybeFlush();
    }
    while (inflight > 0) {
      const left = job.stop.aborted ? null : slotFreed();
      if (left !== null) await stops.wait(left);
      if (job.stop.aborted) {
        job.hasher.stop();
        while (inflight > 0) await slotFreed();
      }
      await job.output.maybeFlush();
    }
  } finally {
    stops.dispose();
  }
  if (failure) throw failure;
  return complete && !job.stop.aborted;
}
