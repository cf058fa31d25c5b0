import type { Hits } from './arena.js';
import type { PackedHashes } from './types.js';

/**
 * Helpers for indexes split into shards: a list too large for one 32-bit WebAssembly memory is
 * cut, in build order, into consecutive runs of near-equal size, each indexed in its own memory;
 * a query asks every shard and merges the answers, so positions stay build order throughout.
 */

/** The largest WebAssembly memory (65,536 pages of 64 KiB): the default budget of one shard. */
export const MAX_MEMORY_BYTES = 2 ** 32;

/** Check a per-shard memory budget given as an option. */
export function checkShardBytes(bytes: number): void {
  if (!Number.isInteger(bytes) || bytes <= 0 || bytes > MAX_MEMORY_BYTES) {
    throw new RangeError(`Expected a shard memory budget from 1 to ${MAX_MEMORY_BYTES} bytes but received ${bytes}`);
  }
}

/** Sizes of `shards` consecutive runs covering `count` entries, the larger ones first (they differ by at most one). */
export function shardCounts(count: number, shards: number): number[] {
  const small = Math.floor(count / shards);
  const big = count - small * shards;
  return Array.from({ length: shards }, (_, i) => small + (i < big ? 1 : 0));
}

/** The fewest shards for which `fits(entries per shard)` holds (entries per shard: the largest run). */
export function fewestShards(count: number, fits: (perShard: number) => boolean): number {
  if (!fits(Math.min(1, count))) throw new RangeError('Expected a shard memory budget that holds at least one hash and its tables');
  for (let k = 1; k <= Math.max(1, count); k++) if (fits(Math.ceil(count / k))) return k;
  throw new RangeError('Expected a shard memory budget that holds at least one hash and its tables');
}

/** The runs of a packed list as packed lists of their own (views, not copies), and where each starts. */
export function splitPacked(packed: PackedHashes, counts: readonly number[]): { parts: PackedHashes[]; starts: number[] } {
  const width = packed.bits / 8;
  const parts: PackedHashes[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const count of counts) {
    starts.push(at);
    parts.push({ bits: packed.bits, count, bytes: packed.bytes.subarray(at * width, (at + count) * width), ids: packed.ids.subarray(at, at + count) });
    at += count;
  }
  return { parts, starts };
}

/** The shard holding global position `position` (binary search over the shards' first positions). */
export function shardOf(starts: readonly number[], position: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The shards' hits (each sorted by distance then position, positions local to the shard) as one
 * list of global positions sorted by distance then position: ties keep build order, since the
 * shards hold consecutive runs.
 */
export function mergeHits(parts: readonly Hits[], starts: readonly number[]): Hits {
  let total = 0;
  let only = -1;
  for (let s = 0; s < parts.length; s++) {
    if (parts[s].pos.length === 0) continue;
    total += parts[s].pos.length;
    only = only === -1 ? s : -2;
  }
  if (only === -1) return parts[0] ?? { pos: new Uint32Array(0), dist: new Uint32Array(0) };
  if (only >= 0 && starts[only] === 0) return parts[only];
  const keys = new Float64Array(total);
  let n = 0;
  for (let s = 0; s < parts.length; s++) {
    const { pos, dist } = parts[s];
    for (let i = 0; i < pos.length; i++) keys[n++] = dist[i] * 2 ** 32 + starts[s] + pos[i];
  }
  if (only < 0) keys.sort();
  const pos = new Uint32Array(total);
  const dist = new Uint32Array(total);
  for (let i = 0; i < total; i++) {
    dist[i] = Math.floor(keys[i] / 2 ** 32);
    pos[i] = keys[i] % 2 ** 32;
  }
  return { pos, dist };
}
