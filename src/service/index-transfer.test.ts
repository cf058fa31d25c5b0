import { describe, expect, it } from 'vitest';
import { MultiIndexHash } from '../search/mih.js';
import { flippedCopy, hashAt, randomPacked } from '../synthetic/hashes.js';
import { createPrng } from '../synthetic/prng.js';
import { INDEX_KEY, restoreHamming } from './index-transfer.js';

describe('restoreHamming', () => {
  it('rebuilds an index split into shards from the chunks the builder thread transfers', () => {
    const rand = createPrng(185);
    const packed = randomPacked(rand, 256, 2000);
    const built = MultiIndexHash.build(packed, { radius: 31, maxShardBytes: 500_000 });
    expect(built.shardSizes.length).toBeGreaterThanOrEqual(3);
    const restored = restoreHamming(built.serialize(INDEX_KEY).map((c) => new Uint8Array(c)));
    expect(restored.shardSizes).toEqual(built.shardSizes);
    for (let i = 0; i < 20; i++) {
      const q = flippedCopy(rand, hashAt(packed, (i * 97) % 2000), i);
      expect(restored.query(q, 31)).toEqual(built.query(q, 31));
      expect(restored.query(q, 31).length).toBeGreaterThanOrEqual(1);
    }
  });
});
