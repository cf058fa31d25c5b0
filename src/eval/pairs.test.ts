import { describe, expect, it } from 'vitest';
import { hammingBytes } from '../signals/hex.js';
import { allPairsHistogram, allPairsMinHistogram, packHashes } from './pairs.js';
import { mulberry32 } from '../synthetic/prng.js';

function randomHashes(n: number, bytes: number, seed: number): Uint8Array[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => Uint8Array.from({ length: bytes }, () => Math.floor(rand() * 256)));
}

describe('all-pairs distance histograms', () => {
  it('count a hand-checked set of 64-bit hashes', () => {
    const h = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
    const set = packHashes([h('0000000000000000'), h('0000000000000001'), h('ffffffffffffffff')], 64);
    const hist = allPairsHistogram(set);
    expect(hist.length).toBe(65);
    expect(hist[1]).toBe(1);
    expect(hist[63]).toBe(1);
    expect(hist[64]).toBe(1);
    expect(hist.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('agree with the byte-wise reference distance on random 256-bit hashes', () => {
    const hashes = randomHashes(40, 32, 11);
    const expected = new Float64Array(257);
    for (let i = 0; i < hashes.length; i++) {
      for (let j = i + 1; j < hashes.length; j++) expected[hammingBytes(hashes[i], hashes[j])] += 1;
    }
    expect(allPairsHistogram(packHashes(hashes, 256))).toEqual(expected);
  });

  it('take the minimum over query variants, item i against reference j for i < j', () => {
    const n = 12;
    const variants = 8;
    const refs = randomHashes(n, 32, 5);
    const queries = randomHashes(n * variants, 32, 6);
    queries[2 * variants + 3] = refs[7];
    const expected = new Float64Array(257);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let best = 256;
        for (let v = 0; v < variants; v++) best = Math.min(best, hammingBytes(queries[i * variants + v], refs[j]));
        expected[best] += 1;
      }
    }
    const hist = allPairsMinHistogram(packHashes(queries, 256), packHashes(refs, 256), variants);
    expect(hist).toEqual(expected);
    expect(hist[0]).toBe(1);
    expect(() => allPairsMinHistogram(packHashes(refs, 256), packHashes(refs, 256), variants)).toThrow(RangeError);
  });

  it('rejects hashes of the wrong length', () => {
    expect(() => packHashes([new Uint8Array(4), new Uint8Array(8)], 32)).toThrow(/hash 1 has 64 bits/);
    expect(() => packHashes([], 20)).toThrow(RangeError);
  });
});
