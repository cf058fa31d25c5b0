import { checkPacked, checkQuery, checkRadius, HashArena, toMatches, type Hits } from './arena.js';
import { scanSwar } from './swar.js';
import type { HammingIndex, IndexMatch, PackedHashes } from './types.js';

export type Popcount = 'wasm' | 'js';

export interface LinearIndexOptions {
  /** `wasm` (default): i64.popcnt kernel; `js`: 32-bit SWAR (slower, kept for measurement). */
  readonly popcount?: Popcount;
}

/** Compares the query with every hash: the reference the fast index is tested against. */
export class LinearIndex implements HammingIndex {
  readonly bits: number;
  readonly size: number;
  readonly popcount: Popcount;
  private readonly ids: Uint32Array;
  private readonly arena: HashArena | null;
  private readonly words: Uint32Array | null;

  private constructor(packed: PackedHashes, popcount: Popcount) {
    this.bits = packed.bits;
    this.size = packed.count;
    this.ids = packed.ids;
    this.popcount = popcount;
    if (popcount === 'js') {
      if (packed.bits % 32 !== 0 || packed.bytes.byteOffset % 4 !== 0) {
        throw new RangeError(`The js popcount needs whole 32-bit words; ${packed.bits}-bit hashes need popcount 'wasm'`);
      }
      this.words = new Uint32Array(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.length / 4);
      this.arena = null;
    } else {
      this.arena = HashArena.fromPacked(packed);
      this.words = null;
    }
  }

  static build(packed: PackedHashes, options: LinearIndexOptions = {}): LinearIndex {
    checkPacked(packed);
    return new LinearIndex(packed, options.popcount ?? 'wasm');
  }

  /** Bytes this index holds beyond the caller's PackedHashes. */
  get memoryBytes(): number {
    return this.arena ? this.arena.byteLength : 0;
  }

  /** Positions (build order) and distances of every hash within `radius`, sorted by distance then position. */
  search(hash: Uint8Array, radius: number): Hits {
    checkQuery(hash, this.bits);
    checkRadius(radius);
    if (this.arena) return this.arena.scan(hash, radius);
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
