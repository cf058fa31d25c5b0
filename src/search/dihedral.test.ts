import { describe, expect, it } from 'vitest';
import { hammingBytes } from '../signals/hex.js';
import { DIHEDRAL_NAMES } from '../signals/types.js';
import { queryDihedral } from './dihedral.js';
import { LinearIndex } from './linear.js';
import { MultiIndexHash } from './mih.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';

describe('queryDihedral', () => {
  it('returns each entry once with its best distance and the transform that gave it', () => {
    const rand = createPrng(8);
    const packed = randomPacked(rand, 256, 3000);
    const transforms: Record<string, Uint8Array> = {};
    for (const [i, name] of DIHEDRAL_NAMES.entries()) {
      transforms[name] = i % 3 === 0 ? flippedCopy(rand, hashAt(packed, 10 + (i % 2)), 4 + i) : randomBytes(rand, 32);
    }
    transforms.rot180 = Uint8Array.from(transforms.orig);
    for (const index of [LinearIndex.build(packed), MultiIndexHash.build(packed)]) {
      const got = queryDihedral(index, transforms, 31);
      const want = [];
      for (let p = 0; p < packed.count; p++) {
        let best: { distance: number; transform: string } | null = null;
        for (const name of Object.keys(transforms)) {
          const distance = hammingBytes(hashAt(packed, p), transforms[name]);
          if (distance <= 31 && (!best || distance < best.distance)) best = { distance, transform: name };
        }
        if (best) want.push({ id: packed.ids[p], ...best });
      }
      want.sort((a, b) => a.distance - b.distance || a.id - b.id);
      expect(got).toEqual(want);
      expect(got.length).toBeGreaterThanOrEqual(2);
      expect(got.find((m) => m.id === packed.ids[10])?.transform).toBe('orig');
    }
  });

  it('returns nothing when no transform is within the radius', () => {
    const packed = randomPacked(createPrng(9), 64, 100);
    expect(queryDihedral(LinearIndex.build(packed), { orig: new Uint8Array(8) }, 0)).toEqual([]);
  });
});
