import { checkPacked, checkQuery } from './arena.js';
import type { ExactIndex, IndexMatch, PackedHashes } from './types.js';

/** Slots per entry: an open-addressing table stays at most half full. */
const LOAD_FACTOR_INVERSE = 2;
const EMPTY = 0;

/** Fold a digest's bytes into a 32-bit slot hash (FNV-1a then a final mix; digests are already well spread). */
function slotHash(bytes: Uint8Array, from: number, length: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < length; i++) h = Math.imul(h ^ bytes[from + i], 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

/**
 * Exact-digest lookup over the packed bytes: an open-addressing table of positions + 1 (linear
 * probing), no object or string per entry. Equal digests are all kept and returned in build order.
 */
export class ExactDigestIndex implements ExactIndex {
  readonly bits: number;
  readonly size: number;
  private readonly bytes: Uint8Array;
  private readonly ids: Uint32Array;
  private readonly width: number;
  private readonly slots: Uint32Array;
  private readonly mask: number;

  private constructor(packed: PackedHashes) {
    this.bits = packed.bits;
    this.size = packed.count;
    this.bytes = packed.bytes;
    this.ids = packed.ids;
    this.width = packed.bits / 8;
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(2, packed.count * LOAD_FACTOR_INVERSE)));
    this.slots = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < packed.count; i++) {
      let s = slotHash(this.bytes, i * this.width, this.width) & this.mask;
      while (this.slots[s] !== EMPTY) s = (s + 1) & this.mask;
      this.slots[s] = i + 1;
    }
  }

  static build(packed: PackedHashes): ExactDigestIndex {
    checkPacked(packed);
    return new ExactDigestIndex(packed);
  }

  get memoryBytes(): number {
    return this.slots.byteLength;
  }

  private equalAt(pos: number, hash: Uint8Array): boolean {
    const from = pos * this.width;
    for (let i = 0; i < this.width; i++) if (this.bytes[from + i] !== hash[i]) return false;
    return true;
  }

  query(hash: Uint8Array): IndexMatch[] {
    checkQuery(hash, this.bits);
    const positions: number[] = [];
    for (let s = slotHash(hash, 0, this.width) & this.mask; this.slots[s] !== EMPTY; s = (s + 1) & this.mask) {
      const pos = this.slots[s] - 1;
      if (this.equalAt(pos, hash)) positions.push(pos);
    }
    positions.sort((a, b) => a - b);
    return positions.map((pos) => ({ id: this.ids[pos], distance: 0 }));
  }

  queryMany(hashes: readonly Uint8Array[]): IndexMatch[][] {
    return hashes.map((h) => this.query(h));
  }
}
