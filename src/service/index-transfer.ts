import { MultiIndexHash } from '../search/mih.js';

/** The tag serialized indexes carry between the builder thread, the main thread and the query threads. */
export const INDEX_KEY = 'hashsieve-serve';

/** Rebuild a Hamming index from the byte chunks `MultiIndexHash.serialize` produced. */
export function restoreHamming(chunks: readonly Uint8Array[]): MultiIndexHash {
  let chunk = 0;
  let at = 0;
  const index = MultiIndexHash.restore((dst) => {
    for (let filled = 0; filled < dst.length; ) {
      const src = chunks[chunk];
      if (!src) throw new Error('index stream ended early');
      const n = Math.min(dst.length - filled, src.length - at);
      dst.set(src.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (at === src.length) {
        chunk++;
        at = 0;
      }
    }
  }, INDEX_KEY);
  if (!index) throw new Error('index transfer failed');
  return index;
}

