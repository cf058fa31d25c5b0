import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { DecodeShape } from '../hash.js';
import type { HashMode, HashRunner } from './hash-bench.js';
import type { HashBenchReply, HashBenchTask } from './hash-worker.js';

/** A path, as the scan's pool passes it (piscina would turn a URL into a path for every task). */
const WORKER_PATH = fileURLToPath(new URL('./hash-worker.js', import.meta.url));

/**
 * A piscina pool of exactly `workers` threads over the corpus, each running up to `tasksPerThread`
 * files at once (1 for `bench hash`; the scan bench passes the scan's own count, so its floors
 * overlap decodes as the scan does). Threads are started and warmed before timing (every slot
 * once), so a round measures hashing, not thread start-up. Decode-only tasks decode in `shape`:
 * as hashing the measured signals would (decodeShapeFor).
 */
export async function startHashPool(paths: readonly string[], workers: number, shape: DecodeShape, tasksPerThread = 1): Promise<HashRunner> {
  const pool = new Piscina<HashBenchTask, HashBenchReply>({
    filename: WORKER_PATH,
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: tasksPerThread,
    idleTimeout: Number.POSITIVE_INFINITY,
    recordTiming: false,
  });
  const task = (path: string, mode: HashMode): HashBenchTask => ({ path, mode: mode.kind, signals: mode.signals, ...shape });
  const slots = workers * tasksPerThread;
  await Promise.all(Array.from({ length: slots }, (_, i) => pool.run(task(paths[i % paths.length], { name: 'decode', kind: 'decode', signals: [] }))));
  return {
    async run(mode) {
      const t0 = process.hrtime.bigint();
      const replies = await Promise.all(paths.map((p) => pool.run(task(p, mode))));
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const errors: Record<string, number> = {};
      for (const r of replies) if (r.error) errors[r.error] = (errors[r.error] ?? 0) + 1;
      return { elapsedMs, errors };
    },
    close: () => pool.destroy(),
  };
}
