import { checkPacked, checkQuery, checkRadius, HashArena, toMatches, type Hits } from './arena.js';
import { checkShardBytes, fewestShards, MAX_MEMORY_BYTES, mergeHits, shardCounts, splitPacked } from './shards.js';
import { scanSwar } from './swar.js';
import type { HammingIndex, IndexMatch, PackedHashes } from './types.js';

export type Popcount = 'wasm' | 'js';

export interface LinearIndexOptions {
  /** `wasm` (default): i64.popcnt kernel; `js`: 32-bit SWAR (slower, kept for measurement). */
  readonly popcount?: Popcount;
  /** WebAssembly memory one shard may take (default and most: 4 GiB); a longer list is split into shards scanned in turn. */
  readonly maxShardBytes?: number;
}

/** Memory a shard keeps free beyond its hashes and one 8-byte hit per hash. */
const QUERY_RESERVE_BYTES = 2 ** 20;

/** Compares the query with every hash: the reference the fast index is tested against. */
export class LinearIndex implements HammingIndex {
  readonly bits: number;
  readonly size: number;
  readonly popcount: Popcount;
  private readonly ids: Uint32Array;
  private readonly arenas: readonly HashArena[];
  private readonly starts: readonly number[];
  private readonly words: Uint32Array | null;

  private constructor(packed: PackedHashes, popcount: Popcount, maxShardBytes: number) {
    this.bits = packed.bits;
    this.size = packed.count;
    this.ids = packed.ids;
    this.popcount = popcount;
    if (popcount === 'js') {
      if (packed.bits % 32 !== 0 || packed.bytes.byteOffset % 4 !== 0) {
        throw new RangeError(`The js popcount needs whole 32-bit words; ${packed.bits}-bit hashes need popcount 'wasm'`);
      }
      this.words = new Uint32Array(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.length / 4);
      this.arenas = [];
      this.starts = [];
    } else {
      const stride = Math.ceil(packed.bits / 64) * 8;
      const shards = fewestShards(packed.count, (n) => (n + 2) * stride + n * 8 + QUERY_RESERVE_BYTES <= maxShardBytes);
      const { parts, starts } = splitPacked(packed, shardCounts(packed.count, shards));
      this.arenas = parts.map((p) => HashArena.fromPacked(p));
      this.starts = starts;
      this.words = null;
    }
  }

  static build(packed: PackedHashes, options: LinearIndexOptions = {}): LinearIndex {
    checkPacked(packed);
    const maxShardBytes = options.maxShardBytes ?? MAX_MEMORY_BYTES;
    checkShardBytes(maxShardBytes);
    return new LinearIndex(packed, options.popcount ?? 'wasm', maxShardBytes);
  }

  /** Bytes this index holds beyond the caller's PackedHashes. */
  get memoryBytes(): number {
    return this.arenas.reduce((sum, a) => sum + a.byteLength, 0);
  }

  /** Hashes per WebAssembly memory, in build order (one unless the list outgrew one memory; none with the js popcount). */
  get shardSizes(): number[] {
    return this.arenas.map((a) => a.count);
  }

  /** Positions (build order) and distances of every hash within `radius`, sorted by distance then position. */
  search(hash: Uint8Array, radius: number): Hits {
    checkQuery(hash, this.bits);
    checkRadius(radius);
    if (this.arenas.length === 1) return this.arenas[0].scan(hash, radius);
    if (this.arenas.length > 1) return mergeHits(this.arenas.map((a) => a.scan(hash, radius)), this.starts);
    const q = new Uint32Array(Uint8Array.from(hash).buffer);
    return scanSwar(this.words!, this.bits / 32, q, radius);
  }

  idOf(position: number): number {
    return this.ids[position];
  }

  query(hash: Uint8Array, radius: number): IndexMatch[] {
    return toMatches(this.search(hash, radius), this.ids);
  }

  queryMany(hashes: readonly Uint8Array[], radius: number): IndexMatch[][] {
    return hashes.map((h) => this.query(h, radius));
  }
}
