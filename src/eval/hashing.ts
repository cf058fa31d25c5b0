import { hashBuffer } from '../hash.js';
import { DIHEDRAL_NAMES, type DihedralName, type HashOptions, type PerceptualResult, type PerceptualSignalType } from '../signals/types.js';

/** Hash one encoded image with every given signal; keyed by signal name. */
export type ImageHasher = (image: Buffer) => Promise<ReadonlyMap<string, PerceptualResult>>;

/**
 * The same path `hashsieve hash` and scans take (hashBuffer: one decode, shrink-on-load as far as
 * every signal allows, each signal's fromPixels), with the hex parsed back into bytes.
 */
export function bufferHasher(signals: readonly PerceptualSignalType[], options: HashOptions): ImageHasher {
  return async (image) => {
    const r = await hashBuffer(image, { signals, hashOptions: options });
    if (r.error) throw new Error(`eval: a generated image could not be hashed (${r.error.code}: ${r.error.message})`);
    return new Map(
      signals.map((s): [string, PerceptualResult] => {
        const h = r.hashes[s.name];
        const d = h.dihedral;
        const dihedral = d && (Object.fromEntries(DIHEDRAL_NAMES.map((n) => [n, s.parse(d[n])])) as Record<DihedralName, Uint8Array>);
        return [s.name, { hash: s.parse(h.hash), quality: h.quality, dihedral }];
      }),
    );
  };
}
