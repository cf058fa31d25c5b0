import { describe, expect, it } from 'vitest';
import { ExactDigestIndex } from './exact.js';
import { hashAt, randomBytes } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import type { PackedHashes } from './types.js';

function digests(bits: number, distinct: Uint8Array[], picks: number[]): PackedHashes {
  const width = bits / 8;
  const bytes = new Uint8Array(picks.length * width);
  picks.forEach((p, i) => bytes.set(distinct[p], i * width));
  return { bits, count: picks.length, bytes, ids: Uint32Array.from(picks, (_, i) => 1000 + i) };
}

describe('ExactDigestIndex', () => {
  for (const bits of [128, 160, 256]) {
    it(`finds every equal ${bits}-bit digest, duplicates in build order, and nothing else`, () => {
      const rand = createPrng(bits);
      const distinct = Array.from({ length: 400 }, () => randomBytes(rand, bits / 8));
      const picks = Array.from({ length: 3000 }, () => Math.floor(rand.float() * distinct.length));
      const packed = digests(bits, distinct, picks);
      const index = ExactDigestIndex.build(packed);
      for (let d = 0; d < distinct.length; d++) {
        const want = picks.flatMap((p, i) => (p === d ? [{ id: 1000 + i, distance: 0 }] : []));
        expect(index.query(distinct[d])).toEqual(want);
      }
      expect(index.query(randomBytes(rand, bits / 8))).toEqual([]);
      const nearMiss = Uint8Array.from(hashAt(packed, 0));
      nearMiss[nearMiss.length - 1] ^= 1;
      expect(index.query(nearMiss).every((m) => picks[m.id - 1000] !== picks[0])).toBe(true);
    });
  }

  it('handles digests that collide in the slot table (all-zero prefix) and an empty list', () => {
    const distinct = Array.from({ length: 64 }, (_, i) => {
      const d = new Uint8Array(20);
      d[19] = i;
      return d;
    });
    const packed = digests(160, distinct, [...distinct.keys(), 5, 5]);
    const index = ExactDigestIndex.build(packed);
    expect(index.query(distinct[5]).map((m) => m.id)).toEqual([1005, 1064, 1065]);
    expect(index.query(distinct[63])).toEqual([{ id: 1063, distance: 0 }]);
    expect(ExactDigestIndex.build({ bits: 256, count: 0, bytes: new Uint8Array(0), ids: new Uint32Array(0) }).query(new Uint8Array(32))).toEqual([]);
  });

  it('rejects a digest of the wrong length', () => {
    const index = ExactDigestIndex.build(digests(128, [new Uint8Array(16)], [0]));
    expect(() => index.query(new Uint8Array(20))).toThrow(/Expected a 128-bit hash \(16 bytes\) but received 160 bits/);
  });
});
