/**
 * Distances between many hashes at once: hashes packed into 32-bit words, compared in a tight loop,
 * counted into a histogram of Hamming distances (hist[d] = number of pairs at distance d).
 */

/** `count` hashes of `words` 32-bit words each, back to back. */
export interface PackedSet {
  readonly words: number;
  readonly count: number;
  readonly data: Uint32Array;
}

/** Pack equal-length hashes (a multiple of 4 bytes each) into 32-bit words. Byte order is irrelevant to distance. */
export function packHashes(hashes: readonly Uint8Array[], bits: number): PackedSet {
  if (bits % 32 !== 0) throw new RangeError(`Expected a hash length that is a multiple of 32 bits but received ${bits}`);
  const words = bits / 32;
  const data = new Uint32Array(hashes.length * words);
  const bytes = new Uint8Array(data.buffer);
  hashes.forEach((h, i) => {
    if (h.length * 8 !== bits) throw new RangeError(`Expected ${bits}-bit hashes but hash ${i} has ${h.length * 8} bits`);
    bytes.set(h, i * words * 4);
  });
  return { words, count: hashes.length, data };
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function distanceAt(a: Uint32Array, ai: number, b: Uint32Array, bi: number, words: number): number {
  let d = 0;
  for (let w = 0; w < words; w++) d += popcount32(a[ai + w] ^ b[bi + w]);
  return d;
}

/** Histogram of the distances of all n(n-1)/2 unordered pairs i < j. */
export function allPairsHistogram(set: PackedSet): Float64Array {
  const { words, count, data } = set;
  const hist = new Float64Array(words * 32 + 1);
  for (let i = 0; i < count; i++) {
    const ai = i * words;
    for (let j = i + 1; j < count; j++) hist[distanceAt(data, ai, data, j * words, words)] += 1;
  }
  return hist;
}

/**
 * Histogram over pairs i < j of the smallest distance from any of item i's `variants` query
 * hashes to item j's reference hash: how a scan that queries every variant (e.g. the 8 dihedral
 * PDQ hashes) against a list sees two unrelated images. `queries` holds count * variants hashes,
 * item i's variants at rows i * variants .. i * variants + variants - 1.
 */
export function allPairsMinHistogram(queries: PackedSet, references: PackedSet, variants: number): Float64Array {
  const { words, count } = references;
  if (queries.words !== words || queries.count !== count * variants) {
    throw new RangeError(`Expected ${count * variants} query hashes of ${words * 32} bits but received ${queries.count} of ${queries.words * 32}`);
  }
  const q = queries.data;
  const r = references.data;
  const hist = new Float64Array(words * 32 + 1);
  for (let i = 0; i < count; i++) {
    const qi = i * variants * words;
    for (let j = i + 1; j < count; j++) {
      const rj = j * words;
      let best = words * 32;
      for (let v = 0; v < variants; v++) {
        const d = distanceAt(q, qi + v * words, r, rj, words);
        if (d < best) best = d;
      }
      hist[best] += 1;
    }
  }
  return hist;
}
