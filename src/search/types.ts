/**
 * The index contract (tiny, like python-threatexchange's): build from one packed buffer of
 * hashes plus entry ids; query(hash, radius) returns every entry within the radius — none
 * missed, duplicates kept — sorted by distance (ties by insertion order).
 */

/** Hashes packed back to back: n * (bits / 8) bytes, each hash in the signal's byte order. */
export interface PackedHashes {
  readonly bits: number;
  readonly count: number;
  /** n * bits/8 bytes. byteOffset must be a multiple of 8 (so it can be viewed as 32/64-bit words). */
  readonly bytes: Uint8Array;
  /** Entry ids (the store's row ids), one per hash, same order. */
  readonly ids: Uint32Array;
}

export interface IndexMatch {
  /** The entry id given at build time. */
  readonly id: number;
  readonly distance: number;
}

export interface HammingIndex {
  readonly bits: number;
  readonly size: number;
  /** Every entry within `radius` bits of `hash` (bits/8 bytes), sorted by distance. */
  query(hash: Uint8Array, radius: number): IndexMatch[];
}

export interface ExactIndex {
  readonly size: number;
  /** Every entry whose digest equals `hash`. */
  query(hash: Uint8Array): IndexMatch[];
}
