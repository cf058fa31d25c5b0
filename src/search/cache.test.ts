import { describe, expect, it } from 'vitest';
import { MultiIndexHash } from './mih.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import { chunkReader as reader } from '../../test/support/chunk-reader.js';


describe('MultiIndexHash cache (serialize / restore)', () => {
  for (const [bits, entries] of [[64, 'sieved'], [256, 'sieved'], [256, 'plain']] as const) {
    it(`a restored ${bits}-bit index (${entries} entries) answers exactly like the one it was written from`, () => {
      const rand = createPrng(bits + 77);
      const packed = randomPacked(rand, bits, 5000);
      const built = MultiIndexHash.build(packed, { entries });
      built.query(randomBytes(rand, bits / 8), 10);
      const restored = MultiIndexHash.restore(reader(built.serialize('digest-1')), 'digest-1');
      expect(restored).not.toBeNull();
      expect(restored!.widths).toEqual(built.widths);
      expect(restored!.entries).toBe(entries);
      let matches = 0;
      for (let i = 0; i < 40; i++) {
        const q = i % 2 ? randomBytes(rand, bits / 8) : flippedCopy(rand, hashAt(packed, i * 13), i % 12);
        for (const radius of [0, 3, 10, 31]) {
          const want = built.query(q, radius);
          expect(restored!.query(q, radius)).toEqual(want);
          matches += want.length;
        }
      }
      expect(matches).toBeGreaterThan(0);
    });
  }

  it('refuses a cache written for another key or not written by serialize', () => {
    const built = MultiIndexHash.build(randomPacked(createPrng(3), 256, 100));
    expect(MultiIndexHash.restore(reader(built.serialize('digest-1')), 'digest-2')).toBeNull();
    expect(MultiIndexHash.restore(reader([new Uint8Array(64)]), 'digest-1')).toBeNull();
  });
});
