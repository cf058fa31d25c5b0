import { parentPort } from 'node:worker_threads';
import { MultiIndexHash } from '../search/mih.js';
import { isPerceptual, getSignal } from '../signals/registry.js';
import { openStore } from '../store/store.js';
import { INDEX_KEY } from './index-transfer.js';

/** What the index builder thread is asked: one list's hashes of one signal. */
export interface IndexJob {
  readonly dbPath: string;
  readonly list: string;
  readonly signal: string;
  readonly radius: number;
}

/** Its answer: a serialized Hamming index, or the packed digests for an exact index (built on the main thread). */
export type IndexJobResult =
  | { readonly kind: 'hamming'; readonly count: number; readonly chunks: Uint8Array[] }
  | { readonly kind: 'exact'; readonly count: number; readonly bits: number; readonly bytes: Uint8Array; readonly ids: Uint32Array }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Builds one index off the main thread, so the service answers (503 for lookups, 200 for
 * liveness) while a large list loads; buffers come back by transfer.
 */
function run(job: IndexJob): { result: IndexJobResult; transfer: ArrayBuffer[] } {
  const store = openStore(job.dbPath, { readonly: true });
  try {
    const packed = store.loadPacked(job.signal, [job.list]);
    if (isPerceptual(getSignal(job.signal))) {
      const chunks = MultiIndexHash.build(packed, { radius: job.radius }).serialize(INDEX_KEY).map((c) => new Uint8Array(c));
      return { result: { kind: 'hamming', count: packed.count, chunks }, transfer: chunks.map((c) => c.buffer) };
    }
    const bytes = new Uint8Array(packed.bytes);
    const ids = new Uint32Array(packed.ids);
    return { result: { kind: 'exact', count: packed.count, bits: packed.bits, bytes, ids }, transfer: [bytes.buffer, ids.buffer] };
  } finally {
    store.close();
  }
}

if (parentPort) {
  const port = parentPort;
  port.on('message', (job: IndexJob) => {
    try {
      const { result, transfer } = run(job);
      port.postMessage(result, transfer);
    } catch (e) {
      port.postMessage({ kind: 'error', message: (e as Error)?.message ?? String(e) } satisfies IndexJobResult);
    }
  });
}
