import type { ReportOutput } from './output.js';
import type { Matcher } from './matcher.js';
import { Interrupted, type Hasher } from './pool.js';
import { hashedRecord, unhashedRecord } from './record.js';
import type { HashTask } from './task.js';
import type { WalkItem } from './walk.js';

export interface EngineJob {
  readonly items: AsyncIterable<WalkItem>;
  readonly hasher: Hasher;
  readonly task: Omit<HashTask, 'path'>;
  readonly matcher: Pick<Matcher, 'match'>;
  /** Files in flight at once (bounded, so the walk never runs ahead of the pool). */
  readonly concurrency: number;
  readonly output: ReportOutput;
  /** Files already done (resume): not hashed again. */
  readonly done: ReadonlySet<string>;
  readonly stop: AbortSignal;
  readonly onProgress?: () => void;
}

/**
 * Pull items from the lazy walk, keep at most `concurrency` files in the hasher, match each
 * result and hand the record to the output. Memory stays flat: nothing is read ahead of the
 * pool. Returns true when every item was processed, false when stopped.
 */
export async function runEngine(job: EngineJob): Promise<boolean> {
  const inflight = new Set<Promise<void>>();
  const stopped = new Promise<void>((resolve) => {
    if (job.stop.aborted) resolve();
    job.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  let failure: unknown = null;

  const submit = (item: Extract<WalkItem, { kind: 'file' }>): void => {
    const p: Promise<void> = job.hasher
      .hash({ ...job.task, path: item.path })
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
    const next = await Promise.race([items.next(), stopped.then(() => null)]);
    if (next === null || job.stop.aborted || failure) {
      complete = false;
      void items.return?.(undefined)?.catch(() => undefined);
      break;
    }
    if (next.done) break;
    const item = next.value;
    if (job.done.has(item.path)) continue;
    if (item.kind !== 'file') {
      job.output.add(unhashedRecord(item));
      job.onProgress?.();
    } else {
      while (inflight.size >= job.concurrency && !job.stop.aborted) await Promise.race([...inflight, stopped]);
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
    await Promise.race([...inflight, stopped]);
    if (job.stop.aborted) {
      job.hasher.stop();
      await Promise.allSettled([...inflight]);
    }
    await job.output.maybeFlush();
  }
  if (failure) throw failure;
  return complete && !job.stop.aborted;
}
