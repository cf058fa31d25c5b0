import type { Hits } from './arena.js';
import type { HammingIndex, IndexMatch } from './types.js';

/** What queryDihedral needs: positional search plus the id of a position (LinearIndex, MultiIndexHash). */
export interface PositionalIndex extends HammingIndex {
  search(hash: Uint8Array, radius: number): Hits;
  idOf(position: number): number;
}

export interface DihedralMatch extends IndexMatch {
  /** The transform whose hash came closest (the earlier one in the input's order on a tie). */
  readonly transform: string;
}

/**
 * Query all transforms of one image (e.g. PDQ's 8 dihedral hashes, `orig` first) and return each
 * entry once, with its best distance and the transform that gave it, sorted by distance then
 * build order.
 */
export function queryDihedral(
  index: PositionalIndex,
  transforms: Readonly<Record<string, Uint8Array>>,
  radius: number,
): DihedralMatch[] {
  const best = new Map<number, { dist: number; transform: string }>();
  for (const [transform, hash] of Object.entries(transforms)) {
    const hits = index.search(hash, radius);
    for (let i = 0; i < hits.pos.length; i++) {
      const seen = best.get(hits.pos[i]);
      if (!seen || hits.dist[i] < seen.dist) best.set(hits.pos[i], { dist: hits.dist[i], transform });
    }
  }
  return [...best]
    .sort(([pa, a], [pb, b]) => a.dist - b.dist || pa - pb)
    .map(([pos, { dist, transform }]) => ({ id: index.idOf(pos), distance: dist, transform }));
}
