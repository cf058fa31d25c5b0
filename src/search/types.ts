/**
 * The index contract (tiny, like python-threatexchange's): build from one packed buffer of
 * hashes plus entry ids; query(hash, radius) returns every entry within the radius — none
 * missed, duplicates kept — sorted by distance (ties by insertion order).
 */

export type { PackedHashes } from '../types.js';

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
