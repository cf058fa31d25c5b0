import type { PackedHashes } from '../types.js';
import type { Prng } from './prng.js';

/** A set of query hashes packed back to back, like a list. */
export interface QuerySet {
  readonly bits: number;
  readonly count: number;
  readonly bytes: Uint8Array;
  /** How many are near-duplicates of list entries (the rest are uniform random). */
  readonly near: number;
}

/** `n` uniform random hashes with ids 1..n, in memory that can be shared with worker threads. */
export function syntheticList(bits: number, n: number, prng: Prng): PackedHashes {
  const bytes = new Uint8Array(new SharedArrayBuffer(n * (bits / 8)));
  prng.fill(bytes);
  const ids = new Uint32Array(new SharedArrayBuffer(n * 4));
  for (let i = 0; i < n; i++) ids[i] = i + 1;
  return { bits, count: n, bytes, ids };
}

/** Flip `k` distinct bits of `hash` in place (a partial Fisher-Yates over the bit positions). */
export function flipBits(hash: Uint8Array, k: number, prng: Prng): void {
  const positions = Array.from({ length: hash.length * 8 }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + prng.below(positions.length - i);
    [positions[i], positions[j]] = [positions[j], positions[i]];
    const bit = positions[i];
    hash[bit >> 3] ^= 1 << (bit & 7);
  }
}

/**
 * `count` queries: round(count × nearFraction) copies of random list entries with 0..maxFlip
 * bits flipped (uniform), the rest uniform random hashes, in a seeded random order.
 */
export function makeQueries(list: PackedHashes, count: number, nearFraction: number, maxFlip: number, prng: Prng): QuerySet {
  const size = list.bits / 8;
  const near = list.count === 0 ? 0 : Math.round(count * nearFraction);
  const isNear = Array.from({ length: count }, (_, i) => i < near);
  for (let i = count - 1; i > 0; i--) {
    const j = prng.below(i + 1);
    [isNear[i], isNear[j]] = [isNear[j], isNear[i]];
  }
  const bytes = new Uint8Array(new SharedArrayBuffer(count * size));
  const flipLimit = Math.min(maxFlip, list.bits);
  for (let q = 0; q < count; q++) {
    const hash = bytes.subarray(q * size, (q + 1) * size);
    if (isNear[q]) {
      const src = prng.below(list.count);
      hash.set(list.bytes.subarray(src * size, (src + 1) * size));
      flipBits(hash, prng.below(flipLimit + 1), prng);
    } else {
      prng.fill(hash);
    }
  }
  return { bits: list.bits, count, bytes, near };
}

/** Views of each query, made before timing starts. */
export function queryViews(qs: QuerySet): Uint8Array[] {
  const size = qs.bits / 8;
  return Array.from({ length: qs.count }, (_, i) => qs.bytes.subarray(i * size, (i + 1) * size));
}

/** `check` query indices spread evenly over the set (all of them when check >= count). */
export function sampleIndices(count: number, check: number): number[] {
  const k = Math.min(count, check);
  return Array.from({ length: k }, (_, i) => Math.floor((i * count) / k));
}

/** `count` uniformly random hashes of `bits` bits, ids = position + 1, in ordinary memory. */
export function randomPacked(prng: Prng, bits: number, count: number): PackedHashes {
  const bytes = new Uint8Array((count * bits) / 8);
  prng.fill(bytes);
  return { bits, count, bytes, ids: Uint32Array.from({ length: count }, (_, i) => i + 1) };
}

/** `length` random bytes. */
export function randomBytes(prng: Prng, length: number): Uint8Array {
  const out = new Uint8Array(length);
  prng.fill(out);
  return out;
}

/** A copy of `hash` with exactly `k` distinct bits flipped. */
export function flippedCopy(prng: Prng, hash: Uint8Array, k: number): Uint8Array {
  const out = Uint8Array.from(hash);
  flipBits(out, Math.min(k, hash.length * 8), prng);
  return out;
}

/** The hash at `position` of a packed list (a view, not a copy). */
export function hashAt(packed: PackedHashes, position: number): Uint8Array {
  const width = packed.bits / 8;
  return packed.bytes.subarray(position * width, (position + 1) * width);
}
