import { parentPort } from 'node:worker_threads';
import { ExactDigestIndex } from '../search/exact.js';
import type { MultiIndexHash } from '../search/mih.js';
import { parseBatchLine } from './batch.js';
import type { IndexSource } from './index-state.js';
import { restoreHamming } from './index-transfer.js';

/** Messages a query thread takes: new indexes (and which to keep), or a slice of a batch. */
export type BatchWorkerMessage =
  | { readonly type: 'load'; readonly keep: readonly number[]; readonly add: readonly { readonly id: number; readonly source: IndexSource }[] }
  | {
      readonly type: 'batch';
      readonly seq: number;
      readonly lines: readonly string[];
      /** Per signal name: [bank position, index id, threshold] of every bank holding it. */
      readonly table: Readonly<Record<string, readonly (readonly [number, number, number])[]>>;
    };

/**
 * Per line: the error message, the signal and flat [bank position, entry id, distance, ...] hits
 * in index order, or null for a video line (its videos are held on the main thread, which answers it).
 */
export type BatchResult = string | { readonly s: string; readonly h: number[] } | null;
export type BatchWorkerAnswer = { readonly seq: number; readonly results: BatchResult[] };

type Loaded = { readonly hamming: MultiIndexHash | null; readonly exact: ExactDigestIndex | null };

/** A query thread for lookup_batch: its own copy of every serving index, answering slices of batches. */
if (parentPort) {
  const port = parentPort;
  const indexes = new Map<number, Loaded>();
  port.on('message', (m: BatchWorkerMessage) => {
    if (m.type === 'load') {
      for (const { id, source } of m.add) {
        indexes.set(
          id,
          source.kind === 'hamming'
            ? { hamming: restoreHamming(source.chunks), exact: null }
            : { hamming: null, exact: ExactDigestIndex.build({ bits: source.bits, count: source.count, bytes: source.bytes, ids: source.ids }) },
        );
      }
      const keep = new Set(m.keep);
      for (const id of indexes.keys()) if (!keep.has(id)) indexes.delete(id);
      return;
    }
    const results: BatchResult[] = [];
    for (const line of m.lines) {
      const item = parseBatchLine(line);
      if ('message' in item) {
        results.push(item.message);
        continue;
      }
      if ('video' in item) {
        results.push(null);
        continue;
      }
      const hits: number[] = [];
      for (const [pos, id, threshold] of m.table[item.signal.name] ?? []) {
        const ix = indexes.get(id);
        if (!ix) throw new Error(`query thread lacks index ${id}`);
        if (ix.hamming && item.hash.length * 8 !== ix.hamming.bits) continue;
        const matches = ix.exact ? ix.exact.query(item.hash) : ix.hamming!.query(item.hash, threshold);
        for (const x of matches) hits.push(pos, x.id, x.distance);
      }
      results.push({ s: item.signal.name, h: hits });
    }
    port.postMessage({ seq: m.seq, results } satisfies BatchWorkerAnswer);
  });
}
