import type { PackedHashes } from './types.js';

/** Small seeded PRNG (mulberry32) so tests and benchmarks are reproducible. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export function randomBytes(rand: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = (rand() * 2 ** 32) >>> 0;
    for (let k = 0; k < 4 && i + k < length; k++) out[i + k] = (word >>> (8 * k)) & 0xff;
  }
  return out;
}

/** `count` uniformly random hashes of `bits` bits, ids = position + 1. */
export function randomPacked(rand: () => number, bits: number, count: number): PackedHashes {
  return {
    bits,
    count,
    bytes: randomBytes(rand, (count * bits) / 8),
    ids: Uint32Array.from({ length: count }, (_, i) => i + 1),
  };
}

/** A copy of `hash` with exactly `flips` distinct bits flipped. */
export function flipBits(rand: () => number, hash: Uint8Array, flips: number): Uint8Array {
  const out = Uint8Array.from(hash);
  const bits = hash.length * 8;
  const chosen = new Set<number>();
  while (chosen.size < Math.min(flips, bits)) chosen.add(Math.floor(rand() * bits));
  for (const b of chosen) out[b >> 3] ^= 1 << (b & 7);
  return out;
}

export function hashAt(packed: PackedHashes, position: number): Uint8Array {
  const width = packed.bits / 8;
  return packed.bytes.subarray(position * width, (position + 1) * width);
}
