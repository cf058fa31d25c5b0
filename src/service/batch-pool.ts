import { Worker } from 'node:worker_threads';
import type { BatchResult, BatchWorkerAnswer, BatchWorkerMessage } from './batch-worker.js';
import type { IndexSource, Snapshot } from './index-state.js';

/**
 * Query threads for lookup_batch: each holds its own copy of the serving indexes (restored from
 * what the builder sent), so a batch is split over cores. Index copies follow every swap; a
 * batch names the index ids of the snapshot it started with, and messages reach a thread in
 * order, so it is answered from those indexes before a later swap drops them.
 */
export class BatchPool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, { resolve: (r: BatchResult[]) => void; reject: (e: Error) => void }>();
  private seq = 0;
  private broken: Error | null = null;
  /** Batches answered by the threads (for tests and metrics). */
  answered = 0;

  constructor(threads: number) {
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(new URL('./batch-worker.js', import.meta.url));
      w.on('message', (a: BatchWorkerAnswer) => {
        const p = this.pending.get(a.seq);
        this.pending.delete(a.seq);
        p?.resolve(a.results);
      });
      const fail = (e: Error): void => {
        this.broken ??= e;
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      };
      w.on('error', fail);
      w.on('exit', (code) => fail(new Error(`a batch query thread stopped (exit code ${code})`)));
      return w;
    });
  }

  /** False once a thread has failed: batches are then answered on the main thread. */
  get usable(): boolean {
    return this.broken === null;
  }

  /** Send the threads the indexes new in this snapshot, and which to keep. */
  load(snapshot: Snapshot): void {
    if (!this.usable) return;
    const keep: number[] = [];
    const add: { id: number; source: IndexSource }[] = [];
    for (const bank of snapshot.banks) {
      for (const ix of bank.signals.values()) {
        keep.push(ix.id);
        if (ix.source) add.push({ id: ix.id, source: ix.source });
        ix.source = null;
      }
    }
    const msg: BatchWorkerMessage = { type: 'load', keep, add };
    this.workers.forEach((w, i) => {
      // The last thread takes the Hamming chunks by transfer (the main thread has its own index); exact digests stay shared.
      const transfer = i === this.workers.length - 1 ? add.flatMap((a) => (a.source.kind === 'hamming' ? a.source.chunks.map((c) => c.buffer as ArrayBuffer) : [])) : [];
      w.postMessage(msg, transfer);
    });
  }

  /** Answer the lines (split over the threads) against the snapshot's indexes, in order. */
  async run(snapshot: Snapshot, lines: readonly string[], banks: ReadonlySet<string> | null): Promise<BatchResult[]> {
    if (this.broken) throw this.broken;
    const table: Record<string, [number, number, number][]> = {};
    snapshot.banks.forEach((bank, pos) => {
      if (banks && !banks.has(bank.name)) return;
      for (const [name, ix] of bank.signals) (table[name] ??= []).push([pos, ix.id, ix.threshold]);
    });
    const per = Math.ceil(lines.length / this.workers.length);
    const parts = await Promise.all(
      this.workers.map((w, i) => {
        const slice = lines.slice(i * per, (i + 1) * per);
        if (slice.length === 0) return Promise.resolve([] as BatchResult[]);
        const seq = this.seq++;
        return new Promise<BatchResult[]>((resolve, reject) => {
          this.pending.set(seq, { resolve, reject });
          w.postMessage({ type: 'batch', seq, lines: slice, table } satisfies BatchWorkerMessage);
        });
      }),
    );
    this.answered++;
    return parts.flat();
  }

  async close(): Promise<void> {
    this.broken ??= new Error('closed');
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
