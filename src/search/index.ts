import { ExactDigestIndex } from './exact.js';
import { MultiIndexHash, type MultiIndexHashOptions } from './mih.js';
import type { PackedHashes } from './types.js';

export type { Hits } from './arena.js';
export { queryDihedral, type DihedralMatch, type PositionalIndex } from './dihedral.js';
export { ExactDigestIndex } from './exact.js';
export { LinearIndex, type LinearIndexOptions, type Popcount } from './linear.js';
export { MultiIndexHash, type EntryKind, type MultiIndexHashOptions, type QueryPlan, type Strategy } from './mih.js';
export type { ExactIndex, HammingIndex, IndexMatch, PackedHashes } from './types.js';

/** The fast Hamming index for a packed list (multi-index hashing; it falls back to a scan where that is cheaper). */
export function buildHammingIndex(packed: PackedHashes, options?: MultiIndexHashOptions): MultiIndexHash {
  return MultiIndexHash.build(packed, options);
}

/** Exact-digest lookup (md5, sha1, sha256, ...). */
export function buildExactIndex(packed: PackedHashes): ExactDigestIndex {
  return ExactDigestIndex.build(packed);
}
