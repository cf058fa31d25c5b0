import { Worker } from 'node:worker_threads';
import type { IndexMatch } from '../search/types.js';
import type { PackedHashes } from '../types.js';
import type { QueryWorkers } from './match.js';
import type { QuerySet } from '../synthetic/hashes.js';

export interface WorkerInit {
  readonly list: PackedHashes;
  readonly queries: Uint8Array;
  readonly start: number;
  readonly end: number;
  readonly radius: number;
}
export type WorkerRequest = { type: 'run' } | { type: 'answers'; indices: readonly number[] };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; matches: number }
  | { type: 'answers'; answers: [number, IndexMatch[]][] };

const WORKER_URL = new URL('./match-worker.js', import.meta.url);

function shared<T extends Uint8Array | Uint32Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = make(new SharedArrayBuffer(a.byteLength));
  copy.set(a);
  return copy;
}

/** A list whose bytes and ids live in SharedArrayBuffers, so threads read them without a copy. */
export function sharedList(list: PackedHashes): PackedHashes {
  return {
    bits: list.bits,
    count: list.count,
    bytes: shared(list.bytes, (b) => new Uint8Array(b)),
    ids: shared(list.ids, (b) => new Uint32Array(b)),
  };
}

class Thread {
  private pending: ((m: WorkerReply) => void) | null = null;
  private reject: ((e: Error) => void) | null = null;
  private failure: Error | null = null;
  private readonly inbox: WorkerReply[] = [];
  constructor(readonly worker: Worker) {
    worker.on('message', (m: WorkerReply) => this.settle(m));
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`bench query thread exited with code ${code}`)));
  }
  private settle(m: WorkerReply): void {
    const p = this.pending;
    if (!p) {
      this.inbox.push(m);
      return;
    }
    this.pending = this.reject = null;
    p(m);
  }
  private fail(e: Error): void {
    this.failure ??= e;
    const r = this.reject;
    this.pending = this.reject = null;
    r?.(e);
  }
  /** Send a request (if any) and wait for the thread's next reply. */
  next(req?: WorkerRequest): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    if (req) this.worker.postMessage(req);
    const early = this.inbox.shift();
    if (early) return Promise.resolve(early);
    return new Promise((resolve, reject) => {
      this.pending = resolve;
      this.reject = reject;
    });
  }
}

/** Start `threads` workers over one shared list; each takes a contiguous slice of the queries. */
export async function startQueryWorkers(list: PackedHashes, queries: QuerySet, threads: number, radius: number): Promise<QueryWorkers> {
  const sl = sharedList(list);
  const qs = shared(queries.bytes, (b) => new Uint8Array(b));
  const pool: Thread[] = [];
  for (let t = 0; t < threads; t++) {
    const start = Math.floor((t * queries.count) / threads);
    const end = Math.floor(((t + 1) * queries.count) / threads);
    const init: WorkerInit = { list: sl, queries: qs, start, end, radius };
    pool.push(new Thread(new Worker(WORKER_URL, { workerData: init })));
  }
  const close = async (): Promise<void> => {
    await Promise.all(pool.map((t) => t.worker.terminate()));
  };
  try {
    await Promise.all(pool.map((t) => t.next()));
  } catch (e) {
    await close();
    throw e;
  }
  return {
    async run() {
      const t0 = process.hrtime.bigint();
      const replies = await Promise.all(pool.map((t) => t.next({ type: 'run' })));
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      return { elapsedMs, matches: replies.reduce((s, r) => s + (r.type === 'done' ? r.matches : 0), 0) };
    },
    async answers(indices) {
      const replies = await Promise.all(pool.map((t) => t.next({ type: 'answers', indices })));
      return new Map(replies.flatMap((r) => (r.type === 'answers' ? r.answers : [])));
    },
    close,
  };
}
