import { describe, expect, it } from 'vitest';
import { hammingBytes } from '../signals/hex.js';
import { LinearIndex } from './linear.js';
import { flippedCopy, hashAt, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import type { IndexMatch, PackedHashes } from './types.js';

function bruteForce(packed: PackedHashes, q: Uint8Array, radius: number): IndexMatch[] {
  const all: { id: number; distance: number; pos: number }[] = [];
  for (let i = 0; i < packed.count; i++) {
    const distance = hammingBytes(hashAt(packed, i), q);
    if (distance <= radius) all.push({ id: packed.ids[i], distance, pos: i });
  }
  return all.sort((a, b) => a.distance - b.distance || a.pos - b.pos).map(({ id, distance }) => ({ id, distance }));
}

describe('LinearIndex', () => {
  for (const bits of [8, 24, 64, 160, 256, 512]) {
    it(`matches a brute-force byte comparison at ${bits} bits`, () => {
      const rand = createPrng(bits);
      const packed = randomPacked(rand, bits, 300);
      const index = LinearIndex.build(packed);
      let found = 0;
      for (let t = 0; t < 40; t++) {
        const q = flippedCopy(rand, hashAt(packed, t * 7), t % Math.min(bits, 40));
        for (const radius of [0, 1, Math.floor(bits / 8), Math.floor(bits / 3), Math.floor(bits / 2), bits]) {
          const got = index.query(q, radius);
          expect(got).toEqual(bruteForce(packed, q, radius));
          found += got.length;
        }
      }
      expect(found).toBeGreaterThan(0);
    });
  }

  it('gives the same answers with the JS SWAR popcount', () => {
    const rand = createPrng(7);
    const packed = randomPacked(rand, 256, 500);
    const wasm = LinearIndex.build(packed);
    const js = LinearIndex.build(packed, { popcount: 'js' });
    for (let t = 0; t < 50; t++) {
      const q = flippedCopy(rand, hashAt(packed, t), t);
      for (const radius of [0, 10, 31, 100, 128, 256]) expect(js.query(q, radius)).toEqual(wasm.query(q, radius));
    }
  });

  it('keeps duplicates and orders ties by insertion order', () => {
    const rand = createPrng(3);
    const one = randomPacked(rand, 64, 1).bytes;
    const bytes = new Uint8Array(64);
    for (let i = 0; i < 8; i++) bytes.set(i % 2 ? flippedCopy(rand, one, 1) : one, i * 8);
    const ids = Uint32Array.from([50, 40, 30, 20, 10, 9, 8, 7]);
    const index = LinearIndex.build({ bits: 64, count: 8, bytes, ids });
    expect(index.query(one, 1).map((m) => m.id)).toEqual([50, 30, 10, 8, 40, 20, 9, 7]);
    expect(index.query(one, 0).map((m) => m.distance)).toEqual([0, 0, 0, 0]);
  });

  it('answers an empty index and grows its output buffer past the first capacity', () => {
    expect(LinearIndex.build({ bits: 256, count: 0, bytes: new Uint8Array(0), ids: new Uint32Array(0) }).query(new Uint8Array(32), 256)).toEqual([]);
    const count = 5000;
    const index = LinearIndex.build({ bits: 64, count, bytes: new Uint8Array(count * 8), ids: Uint32Array.from({ length: count }, (_, i) => i) });
    const got = index.query(new Uint8Array(8), 0);
    expect(got.length).toBe(count);
    expect(got[count - 1]).toEqual({ id: count - 1, distance: 0 });
  });

  it('rejects malformed input with an actionable message', () => {
    const packed = randomPacked(createPrng(1), 64, 4);
    const index = LinearIndex.build(packed);
    expect(() => index.query(new Uint8Array(4), 3)).toThrow(/Expected a 64-bit hash \(8 bytes\) but received 32 bits/);
    expect(() => index.query(new Uint8Array(8), -1)).toThrow(/non-negative integer radius/);
    expect(() => index.query(new Uint8Array(8), 1.5)).toThrow(/non-negative integer radius/);
    expect(() => LinearIndex.build({ ...packed, ids: new Uint32Array(3) })).toThrow(/Expected 4 ids but received 3/);
    expect(() => LinearIndex.build({ ...packed, bytes: new Uint8Array(31) })).toThrow(/Expected 32 bytes/);
    expect(() => LinearIndex.build({ ...packed, bits: 12 })).toThrow(/multiple of 8/);
  });
});
