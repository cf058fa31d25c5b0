import type { Hits } from './arena.js';

/** Set bits in a 32-bit word, SWAR style (no tables, no BigInt). */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Plain-JS linear scan over hashes viewed as 32-bit words (`wordsPerHash` each). Kept as the
 * measured alternative to the WebAssembly kernel (see bench/match.ts) and as a cross-check.
 */
export function scanSwar(words: Uint32Array, wordsPerHash: number, query: Uint32Array, radius: number): Hits {
  const count = words.length / wordsPerHash;
  const pos: number[] = [];
  const dist: number[] = [];
  for (let i = 0, p = 0; i < count; i++, p += wordsPerHash) {
    let d = 0;
    for (let w = 0; w < wordsPerHash && d <= radius; w++) d += popcount32(words[p + w] ^ query[w]);
    if (d <= radius) {
      pos.push(i);
      dist.push(d);
    }
  }
  const order = pos.map((_, i) => i).sort((a, b) => dist[a] - dist[b] || pos[a] - pos[b]);
  return { pos: Uint32Array.from(order, (i) => pos[i]), dist: Uint32Array.from(order, (i) => dist[i]) };
}
