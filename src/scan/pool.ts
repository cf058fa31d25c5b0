import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { FileErrorCode } from '../errors.js';
import type { FileHashResult } from '../results.js';
import { isNeedJob, type HashTask, type JobSpec, type NeedJob, type PoolFileTask, type ScannedFile, type WarmUpTask } from './task.js';
import { asFsPath, showPath } from './fs-path.js';

/** Hashes files somewhere (a pool of threads, or inline) and always answers with a result. */
export interface Hasher {
  /** Never rejects for a file's own problems; rejects with Interrupted once stop() was called. */
  hash(task: HashTask): Promise<ScannedFile>;
  /** Abandon every task in flight (Ctrl-C): they reject with Interrupted. */
  stop(): void;
  close(): Promise<void>;
  /** Files the scan keeps in flight with this hasher, when it knows better than the thread count (a fleet). */
  readonly concurrency?: number;
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
  /**
   * The worker module the threads run (default ./worker.js); tests pass one that injects faults,
   * which takes the pool's messages through worker.js's startTask and hashStarted.
   */
  readonly worker?: URL;
}

/** Makes the scan's hasher from the scan's pool options (a pool of threads by default). */
export type HasherFactory = (opts: PoolOptions) => Promise<Hasher>;

/**
 * Files in flight per pool thread: two, so libvips decodes one while the thread hashes the other.
 * A file's timeout starts only when its thread starts it.
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
/** Over time while another started file shared its thread: either may have stalled it. */
const SUSPECT = 'hashsieve: file timeout on a shared thread';
const STOPPED = 'hashsieve: interrupted';

/** Start slots per shared block (JobSpec.slots); a block is replaced once its slots are used up. */
export const SLOTS_PER_BLOCK = 256;

/**
 * A file's stop signal for piscina (its AbortSignalEventTarget shape): one listener, no event
 * machinery, as a file in flight has exactly one task.
 */
class FileStop {
  aborted = false;
  reason: unknown = undefined;
  private listener: (() => void) | null = null;
  addEventListener(_name: 'abort', listener: () => void): void {
    this.listener = listener;
  }
  removeEventListener(_name: 'abort', listener: () => void): void {
    if (this.listener === listener) this.listener = null;
  }
  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listener = this.listener;
    this.listener = null;
    listener?.();
  }
}

/**
 * Start slots: pairs of BigInt64s in a SharedArrayBuffer that every thread of the pool holds. The
 * worker stores its threadId at [2i + 1], then process.hrtime.bigint() at [2i] when it starts the
 * file in slot i (0 until then): the monotonic clock, the same in every thread, so a wall-clock
 * step cannot time files out. A slot is used again only after its file's thread answered; the
 * slot of a file whose task failed is never used again, as a thread being ended may still write it.
 */
export class StartSlots {
  block = new SharedArrayBuffer(SLOTS_PER_BLOCK * 16);
  words = new BigInt64Array(this.block);
  private used = 0;
  private readonly free: number[] = [];
  take(): number {
    const free = this.free.pop();
    if (free !== undefined) return free;
    if (this.used === SLOTS_PER_BLOCK) {
      this.block = new SharedArrayBuffer(SLOTS_PER_BLOCK * 16);
      this.words = new BigInt64Array(this.block);
      this.used = 0;
    }
    return this.used++;
  }
  /** After the file's thread answered. */
  release(words: BigInt64Array, slot: number): void {
    if (words !== this.words) return;
    Atomics.store(words, 2 * slot, 0n);
    Atomics.store(words, 2 * slot + 1, 0n);
    this.free.push(slot);
  }
}

interface InFlight {
  readonly stop: FileStop;
  /** The file's start slot: words[at] its start time, words[at + 1] its thread. */
  readonly words: BigInt64Array;
  readonly at: number;
}

/** A job: the constant part of a run of HashTasks, with the slots block its files use. */
interface Job {
  readonly id: number;
  readonly spec: JobSpec;
  /** The job went out with a file once (a thread without it answers NeedJob, and gets it then). */
  sent: boolean;
}

/** Jobs the pool remembers: tasks with the same constants (by identity) share one. */
const JOBS_KEPT = 4;
let lastJobId = 0;

const sameConstants = (a: JobSpec, t: HashTask): boolean =>
  a.signals === t.signals && a.options === t.options && a.limits === t.limits && a.video === t.video && a.knownGood === t.knownGood;

type LoadBalancer = NonNullable<NonNullable<ConstructorParameters<typeof Piscina>[0]>['loadBalancer']>;

/**
 * The least busy thread with a free slot. piscina's own balancer never gives a thread a second
 * task that can be aborted (aborting one ends its thread, and the other with it; it reports such
 * a thread's usage as Infinity); this pool retries that other file itself. A task without an
 * abort signal (the start-up warm-up, which waits for every thread) goes to an idle thread only.
 */
function leastBusy(perThread: number): LoadBalancer {
  return (task, workers) => {
    let best: (typeof workers)[number] | null = null;
    let bestUsage = task.isAbortable ? perThread : 1;
    for (const w of workers) {
      // A thread running one abortable task reports Infinity (see above): it holds one file.
      const reported = w.currentUsage;
      const usage = reported === Infinity ? 1 : reported;
      if (usage < bestUsage) {
        best = w;
        bestUsage = usage;
      }
    }
    return best;
  };
}

type Answer = ScannedFile | NeedJob | null;
type Attempt = { readonly ok: ScannedFile } | { readonly failed: 'timeout' | 'suspect' | 'crash'; readonly message: string };

/**
 * A piscina pool of `workers` threads, each running up to TASKS_IN_FLIGHT_PER_WORKER files at
 * once. The worker records when it starts a file and only then does the file's timeout begin;
 * threads are warmed up (modules loaded) first.
 *
 * When a thread ends while it holds two files, only the one that caused it gets an error row:
 * a file over its time alone on its thread is a TIMEOUT; every other file the thread held (a crash
 * takes all of them; a timeout on a thread where another file had started could be either's)
 * is retried once, alone, on a separate one-thread pool, where a crash or timeout is its own.
 *
 * Timeouts are kept by one watchdog timer that sweeps the files in flight, not a timer per file,
 * which would cost main-thread time the main thread shares with the workers' cores.
 *
 * A file's message is its path and its job's id (PoolFileTask): a job, the constants tasks share,
 * goes to a thread once, and a thread that lacks it answers NeedJob and gets the file again with it.
 */
export async function createPool(opts: PoolOptions): Promise<Hasher> {
  type Pool = Piscina<PoolFileTask | WarmUpTask, Answer>;
  // A path, not a file URL: piscina turns a URL into a path again for every task it runs.
  const filename = fileURLToPath(opts.worker ?? new URL('./worker.js', import.meta.url));
  const newPool = (threads: number, perThread: number) =>
    new Piscina<PoolFileTask | WarmUpTask, Answer>({
      filename,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: perThread,
      loadBalancer: leastBusy(perThread),
      idleTimeout: Number.POSITIVE_INFINITY,
      // Nothing reads piscina's run and wait time histograms.
      recordTiming: false,
    });
  const pool = newPool(opts.workers, TASKS_IN_FLIGHT_PER_WORKER);
  /** Retries run here, one file at a time; started on the first retry. */
  let alone: Promise<Pool> | null = null;
  const warmUp = (threads: number): WarmUpTask => ({ warmUp: new SharedArrayBuffer(4), threads });
  const startUp = warmUp(opts.workers);
  await Promise.all(Array.from({ length: opts.workers }, () => pool.run(startUp)));
  const stopper = new AbortController();
  const inFlight = new Set<InFlight>();
  let watchdog: NodeJS.Timeout | null = null;
  const limitNs = BigInt(opts.fileTimeoutMs) * 1_000_000n;
  const sharesThread = (f: InFlight): boolean => {
    const thread = Atomics.load(f.words, f.at + 1);
    for (const g of inFlight) if (g !== f && Atomics.load(g.words, g.at) > 0n && Atomics.load(g.words, g.at + 1) === thread) return true;
    return false;
  };
  const sweep = (): void => {
    // Stopped here, once nothing is in flight, rather than with every last file: the next file often follows at once.
    if (inFlight.size === 0 && watchdog !== null) {
      clearInterval(watchdog);
      watchdog = null;
      return;
    }
    const now = process.hrtime.bigint();
    for (const f of inFlight) {
      const started = Atomics.load(f.words, f.at);
      if (started > 0n && now - started >= limitNs && !f.stop.aborted) f.stop.abort(sharesThread(f) ? SUSPECT : TIMED_OUT);
    }
  };
  const watch = (f: InFlight): void => {
    inFlight.add(f);
    // Unreferenced: the files in flight keep the process alive, not their watchdog.
    if (opts.fileTimeoutMs > 0 && watchdog === null) watchdog = setInterval(sweep, watchdogPeriodMs(opts.fileTimeoutMs)).unref();
  };
  const unwatch = (f: InFlight): void => {
    inFlight.delete(f);
  };
  /** After a thread was replaced, hold the next file until a thread is up, so its start-up is not timed. */
  const untilAThreadIsReady = (p: Pool): Promise<unknown> => p.run(warmUp(1), { signal: stopper.signal }).catch(() => null);
  const slots = new StartSlots();
  const jobs: Job[] = [];
  /** The job of a task's constants: one the pool remembers, or a new one (with the current slots block). */
  const jobOf = (task: HashTask): Job => {
    for (const j of jobs) if (j.spec.slots === slots.block && sameConstants(j.spec, task)) return j;
    const spec: JobSpec = {
      signals: task.signals,
      options: task.options,
      limits: task.limits,
      ...(task.video && { video: task.video }),
      ...(task.knownGood && { knownGood: task.knownGood }),
      slots: slots.block,
    };
    const job: Job = { id: ++lastJobId, spec, sent: false };
    jobs.unshift(job);
    if (jobs.length > JOBS_KEPT) jobs.pop();
    return job;
  };
  const attempt = async (p: Pool, task: HashTask): Promise<Attempt> => {
    const slot = slots.take();
    const f: InFlight = { stop: new FileStop(), words: slots.words, at: 2 * slot };
    const job = jobOf(task);
    watch(f);
    let answered = false;
    try {
      let define = !job.sent;
      for (;;) {
        const message: PoolFileTask = {
          path: task.path,
          job: job.id,
          slot,
          ...(task.stat && { stat: true }),
          ...(task.bytes && { bytes: task.bytes }),
          ...(define && { define: job.spec }),
        };
        job.sent = true;
        const answer = await p.run(message, { signal: f.stop });
        if (!isNeedJob(answer)) {
          answered = true;
          return { ok: answer! };
        }
        // This thread is new to the job (a second thread, or one started after a crash): send it along.
        if (stopper.signal.aborted) throw new Interrupted('Scan interrupted');
        define = true;
      }
    } catch (e) {
      if (e instanceof Interrupted) throw e;
      const reason = f.stop.reason;
      if (reason === STOPPED || stopper.signal.aborted) throw new Interrupted('Scan interrupted');
      const failed = reason === TIMED_OUT ? 'timeout' : reason === SUSPECT ? 'suspect' : 'crash';
      await untilAThreadIsReady(p);
      return { failed, message: (e as Error)?.message ?? String(e) };
    } finally {
      unwatch(f);
      if (answered) slots.release(f.words, slot);
    }
  };
  const timeoutRow = (path: HashTask['path']) =>
    errorResult(showPath(asFsPath(path)), 'TIMEOUT', `Hashing took longer than the file timeout (${opts.fileTimeoutMs} ms); its worker was stopped`);
  return {
    async hash(task) {
      if (stopper.signal.aborted) throw new Interrupted('Scan interrupted');
      const first = await attempt(pool, task);
      if ('ok' in first) return first.ok;
      if (first.failed === 'timeout') return timeoutRow(task.path);
      if (stopper.signal.aborted) throw new Interrupted('Scan interrupted');
      alone ??= (async () => {
        const p = newPool(1, 1);
        await untilAThreadIsReady(p);
        return p;
      })();
      const retry = await attempt(await alone, task);
      if ('ok' in retry) return retry.ok;
      if (retry.failed !== 'crash') return timeoutRow(task.path);
      return errorResult(showPath(asFsPath(task.path)), 'WORKER_CRASHED', `The worker hashing this file stopped unexpectedly: ${retry.message}`);
    },
    stop() {
      stopper.abort();
      for (const f of inFlight) f.stop.abort(STOPPED);
    },
    async close() {
      if (watchdog !== null) clearInterval(watchdog);
      watchdog = null;
      await Promise.all([pool.destroy(), alone?.then((p) => p.destroy())]);
    },
  };
}

/** Hash on the calling thread (`--workers 0`): no isolation, no timeout; for debugging and tiny jobs. */
export async function createInlineHasher(): Promise<Hasher> {
  const { startTask, hashStarted } = await import('./worker.js');
  let stopped = false;
  return {
    async hash(task) {
      if (stopped) throw new Interrupted('Scan interrupted');
      const result = await hashStarted(startTask(task)!);
      if (stopped) throw new Interrupted('Scan interrupted');
      return result;
    },
    stop() {
      stopped = true;
    },
    async close() {},
  };
}
