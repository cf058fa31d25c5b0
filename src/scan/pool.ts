import { Piscina } from 'piscina';
import type { FileErrorCode } from '../errors.js';
import type { FileHashResult } from '../results.js';
import type { HashTask, ScannedFile, WarmUpTask } from './task.js';
import { asFsPath, showPath } from './fs-path.js';

/** Hashes files somewhere (a pool of threads, or inline) and always answers with a result. */
export interface Hasher {
  /** Never rejects for a file's own problems; rejects with Interrupted once stop() was called. */
  hash(task: HashTask): Promise<ScannedFile>;
  /** Abandon every task in flight (Ctrl-C): they reject with Interrupted. */
  stop(): void;
  close(): Promise<void>;
}

export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

export function errorResult(path: string, code: FileErrorCode, message: string): FileHashResult {
  return { path, size: 0, hashes: {}, error: { code, message } };
}

export interface PoolOptions {
  readonly workers: number;
  /** Per-file limit in ms (0 = none). A task over it is aborted and its thread replaced. */
  readonly fileTimeoutMs: number;
  /** The worker module the threads run (default ./worker.js); tests pass one that injects faults. */
  readonly worker?: URL;
}

/** Makes the scan's hasher from the scan's pool options (a pool of threads by default). */
export type HasherFactory = (opts: PoolOptions) => Promise<Hasher>;

/**
 * Files kept in flight per thread: one hashing and one queued behind it, so a thread never
 * waits for the main thread between files. A file's timeout starts only when its thread starts it.
 */
export const TASKS_IN_FLIGHT_PER_WORKER = 2;

/**
 * How often the watchdog looks for files over --file-timeout: a twentieth of the timeout, between
 * 10 ms and 1 s. A file is stopped within one period after its time is up.
 */
export function watchdogPeriodMs(fileTimeoutMs: number): number {
  return Math.min(1000, Math.max(10, Math.floor(fileTimeoutMs / 20)));
}

const TIMED_OUT = 'hashsieve: file timeout';
const STOPPED = 'hashsieve: interrupted';

interface InFlight {
  readonly ac: AbortController;
  /**
   * The worker stores process.hrtime.bigint() here when it starts the file (0 until then): the
   * monotonic clock, the same in every thread, so a wall-clock step cannot time files out.
   */
  readonly started: BigInt64Array;
}

/**
 * A piscina pool, one task per thread at a time; the caller keeps up to
 * TASKS_IN_FLIGHT_PER_WORKER per thread in flight. The worker records when it starts a file and
 * only then does the file's timeout begin; threads are warmed up (modules loaded) first.
 *
 * Timeouts are kept by one watchdog timer that sweeps the files in flight, not a timer per file,
 * which would cost main-thread time the main thread shares with the workers' cores.
 */
export async function createPool(opts: PoolOptions): Promise<Hasher> {
  const pool = new Piscina<HashTask | WarmUpTask, ScannedFile | null>({
    filename: (opts.worker ?? new URL('./worker.js', import.meta.url)).href,
    minThreads: opts.workers,
    maxThreads: opts.workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  const warmUp: WarmUpTask = { warmUp: new SharedArrayBuffer(4), threads: opts.workers };
  await Promise.all(Array.from({ length: opts.workers }, () => pool.run(warmUp)));
  const stopper = new AbortController();
  const inFlight = new Set<InFlight>();
  let watchdog: NodeJS.Timeout | null = null;
  const limitNs = BigInt(opts.fileTimeoutMs) * 1_000_000n;
  const sweep = (): void => {
    const now = process.hrtime.bigint();
    for (const f of inFlight) {
      const started = Atomics.load(f.started, 0);
      if (started > 0n && now - started >= limitNs) f.ac.abort(TIMED_OUT);
    }
  };
  const watch = (f: InFlight): void => {
    inFlight.add(f);
    if (opts.fileTimeoutMs > 0 && watchdog === null) watchdog = setInterval(sweep, watchdogPeriodMs(opts.fileTimeoutMs));
  };
  const unwatch = (f: InFlight): void => {
    inFlight.delete(f);
    if (inFlight.size === 0 && watchdog !== null) {
      clearInterval(watchdog);
      watchdog = null;
    }
  };
  /** After a thread was replaced, hold the next file until a thread is up, so its start-up is not timed. */
  const untilAThreadIsReady = (): Promise<unknown> =>
    pool.run({ warmUp: new SharedArrayBuffer(4), threads: 1 }, { signal: stopper.signal }).catch(() => null);
  return {
    async hash(task) {
      if (stopper.signal.aborted) throw new Interrupted('Scan interrupted');
      const started = new SharedArrayBuffer(8);
      const f: InFlight = { ac: new AbortController(), started: new BigInt64Array(started) };
      watch(f);
      try {
        return (await pool.run({ ...task, started }, { signal: f.ac.signal }))!;
      } catch (e) {
        if (f.ac.signal.reason === STOPPED) throw new Interrupted('Scan interrupted');
        const result =
          f.ac.signal.reason === TIMED_OUT
            ? errorResult(showPath(asFsPath(task.path)), 'TIMEOUT', `Hashing took longer than the file timeout (${opts.fileTimeoutMs} ms); its worker was stopped`)
            : errorResult(showPath(asFsPath(task.path)), 'WORKER_CRASHED', `The worker hashing this file stopped unexpectedly: ${(e as Error)?.message ?? String(e)}`);
        await untilAThreadIsReady();
        return result;
      } finally {
        unwatch(f);
      }
    },
    stop() {
      stopper.abort();
      for (const f of inFlight) f.ac.abort(STOPPED);
    },
    async close() {
      if (watchdog !== null) clearInterval(watchdog);
      watchdog = null;
      await pool.destroy();
    },
  };
}

/** Hash on the calling thread (`--workers 0`): no isolation, no timeout; for debugging and tiny jobs. */
export async function createInlineHasher(): Promise<Hasher> {
  const { default: hashTask } = await import('./worker.js');
  let stopped = false;
  return {
    async hash(task) {
      if (stopped) throw new Interrupted('Scan interrupted');
      const result = (await hashTask(task))!;
      if (stopped) throw new Interrupted('Scan interrupted');
      return result;
    },
    stop() {
      stopped = true;
    },
    async close() {},
  };
}
