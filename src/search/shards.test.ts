import { describe, expect, it } from 'vitest';
import { queryDihedral } from './dihedral.js';
import { LinearIndex } from './linear.js';
import { MultiIndexHash, shardLayout } from './mih.js';
import { mergeHits, shardCounts, shardOf } from './shards.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import type { IndexMatch, PackedHashes } from './types.js';
import { chunkReader as reader } from '../../test/support/chunk-reader.js';

/** A shard budget that splits the 3,000-hash lists below into several shards. */
const SMALL_SHARD_BYTES = 700_000;
const text = (matches: IndexMatch[]) => matches.map((m) => `${m.id}:${m.distance}`).join(' ');

/** A random list with ids in reverse build order (so id order is not build order) and a few exact duplicates. */
function list(rand: Prng, bits: number, count: number): PackedHashes {
  const packed = randomPacked(rand, bits, count);
  const width = bits / 8;
  for (const [from, to] of [[7, count - 1], [7, Math.floor(count / 2)], [count - 5, 3]]) packed.bytes.copyWithin(to * width, from * width, (from + 1) * width);
  return { ...packed, ids: Uint32Array.from({ length: count }, (_, i) => 10 * (count - i)) };
}

function queries(rand: Prng, packed: PackedHashes, n: number, maxFlips: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) =>
    i % 4 === 3 ? randomBytes(rand, packed.bits / 8) : flippedCopy(rand, hashAt(packed, rand.below(packed.count)), rand.below(maxFlips + 1)),
  );
}

describe('indexes split into shards', () => {
  it('a lowered shard budget splits the list into 3+ shards that answer exactly like LinearIndex and the unsharded index', () => {
    const rand = createPrng(181);
    const packed = list(rand, 256, 3000);
    const truth = LinearIndex.build(packed);
    const whole = MultiIndexHash.build(packed);
    const sharded = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES });
    const forced = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES, strategy: 'mih' });
    const linear = LinearIndex.build(packed, { maxShardBytes: 2 ** 20 + 40_000 });
    expect(whole.shardSizes).toEqual([3000]);
    expect(sharded.shardSizes.length).toBeGreaterThanOrEqual(3);
    expect(sharded.shardSizes.reduce((a, b) => a + b, 0)).toBe(3000);
    expect(linear.shardSizes.length).toBeGreaterThanOrEqual(3);
    let matches = 0;
    for (const radius of [0, 5, 12, 31, 48, 64, 128]) {
      for (const q of queries(rand, packed, 24, radius + 2)) {
        const want = text(truth.query(q, radius));
        expect(text(sharded.query(q, radius)), `radius ${radius}`).toBe(want);
        expect(text(whole.query(q, radius)), `radius ${radius}`).toBe(want);
        expect(text(linear.query(q, radius)), `radius ${radius}`).toBe(want);
        if (radius <= 64) expect(text(forced.query(q, radius)), `radius ${radius}`).toBe(want);
        expect(sharded.lastQueryStrategy).toBe(sharded.plan(radius).strategy);
        expect(sharded.scan(q, radius)).toEqual(sharded.search(q, radius));
        matches += want.split(' ').filter(Boolean).length;
      }
    }
    expect(matches).toBeGreaterThan(100);
    expect(sharded.queryMany([hashAt(packed, 7), hashAt(packed, 2999)], 0).map(text)).toEqual([hashAt(packed, 7), hashAt(packed, 2999)].map((q) => text(truth.query(q, 0))));
    expect(sharded.plan(31)).toMatchObject({ shards: sharded.shardSizes.length });
    expect(sharded.plan(31).reason).toMatch(/shards of up to \d+ hashes/);
    expect(whole.plan(31).shards).toBe(1);
  });

  it('keeps ties across shard boundaries in build order (not id order)', () => {
    const rand = createPrng(182);
    const packed = list(rand, 256, 3000);
    const sharded = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES });
    const starts = sharded.shardSizes.reduce<number[]>((acc, n, i) => [...acc, i === 0 ? 0 : acc[i - 1] + sharded.shardSizes[i - 1]], []);
    expect(starts.length).toBeGreaterThanOrEqual(3);
    const target = randomBytes(rand, 32);
    const width = 32;
    // The same hash on both sides of every boundary, and hashes 3 bits away in scrambled shards.
    const exact = starts.slice(1).flatMap((s) => [s - 1, s]);
    const near = [starts[2] + 4, 2, starts[1] + 9, 2999];
    for (const p of exact) packed.bytes.set(target, p * width);
    for (const p of near) packed.bytes.set(flippedCopy(rand, target, 3), p * width);
    const index = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES });
    const got = index.query(target, 3);
    const want = [...exact.sort((a, b) => a - b).map((p) => ({ id: packed.ids[p], distance: 0 })), ...near.sort((a, b) => a - b).map((p) => ({ id: packed.ids[p], distance: 3 }))];
    expect(got).toEqual(want);
    expect(got).toEqual(LinearIndex.build(packed).query(target, 3));
    const hits = index.search(target, 3);
    expect([...hits.pos]).toEqual([...exact, ...near]);
    expect([...hits.pos].map((p) => index.idOf(p))).toEqual(want.map((m) => m.id));
  });

  it('answers dihedral queries like LinearIndex', () => {
    const rand = createPrng(183);
    const packed = list(rand, 256, 3000);
    const sharded = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES });
    const transforms: Record<string, Uint8Array> = {};
    ['orig', 'rot90', 'rot180', 'rot270', 'flipx', 'flipy', 'flipplus', 'flipminus'].forEach((name, i) => {
      transforms[name] = i % 2 === 0 ? flippedCopy(rand, hashAt(packed, (i * 977) % 3000), 3 + i) : randomBytes(rand, 32);
    });
    transforms.flipy = Uint8Array.from(transforms.orig);
    const want = queryDihedral(LinearIndex.build(packed), transforms, 31);
    expect(want.length).toBeGreaterThanOrEqual(4);
    expect(queryDihedral(sharded, transforms, 31)).toEqual(want);
  });

  it('serializes and restores a sharded index; another key, a wrong shard or a short stream is refused', () => {
    const rand = createPrng(184);
    const packed = list(rand, 256, 3000);
    const sharded = MultiIndexHash.build(packed, { maxShardBytes: SMALL_SHARD_BYTES });
    const chunks = sharded.serialize('key-1').map((c) => Uint8Array.from(c)); // views of the memories, valid until the next query
    const restored = MultiIndexHash.restore(reader(chunks), 'key-1');
    expect(restored).not.toBeNull();
    expect(restored!.shardSizes).toEqual(sharded.shardSizes);
    expect(restored!.widths).toEqual(sharded.widths);
    for (const q of queries(rand, packed, 30, 33)) expect(text(restored!.query(q, 31))).toBe(text(sharded.query(q, 31)));
    expect(MultiIndexHash.restore(reader(chunks), 'key-2')).toBeNull();
    // A header that names other shard sizes than the streams that follow.
    const header = Buffer.from(chunks[0]).toString('latin1').replace(/"shards":\[(\d+)/, (_, n: string) => `"shards":[${Number(n) - 1}`.padEnd(10 + n.length));
    expect(MultiIndexHash.restore(reader([Buffer.from(header, 'latin1'), ...chunks.slice(1)]), 'key-1')).toBeNull();
    expect(() => MultiIndexHash.restore(reader(chunks.slice(0, -1)), 'key-1')).toThrow(/truncated/);
  });

  it('cuts a list into shards only when one memory would not hold it (the cost model picks each shard layout)', () => {
    expect(shardLayout(256, 30e6, 31).counts).toEqual([30e6]);
    const big = shardLayout(256, 50e6, 31);
    expect(big.counts).toEqual([25e6, 25e6]);
    expect(shardLayout(256, 1e8, 31).counts).toEqual([33333334, 33333333, 33333333]);
    expect(big.layout.entries).toBe('plain');
    expect(() => shardLayout(256, 10, 31, { maxShardBytes: 100 })).toThrow(/shard memory budget/);
    expect(() => MultiIndexHash.build(randomPacked(createPrng(1), 64, 10), { maxShardBytes: 2 ** 33 })).toThrow(/shard memory budget/);
  });

  it('helpers: runs of near-equal size in build order, the shard of a position, merged hits', () => {
    expect(shardCounts(10, 3)).toEqual([4, 3, 3]);
    expect(shardCounts(0, 1)).toEqual([0]);
    expect([0, 3, 4, 6, 7, 9].map((p) => shardOf([0, 4, 7], p))).toEqual([0, 0, 1, 1, 2, 2]);
    const h = (pos: number[], dist: number[]) => ({ pos: Uint32Array.from(pos), dist: Uint32Array.from(dist) });
    const merged = mergeHits([h([3], [2]), h([], []), h([0, 1], [0, 2])], [0, 4, 7]);
    expect([...merged.pos]).toEqual([7, 3, 8]);
    expect([...merged.dist]).toEqual([0, 2, 2]);
    expect([...mergeHits([h([], []), h([1], [5])], [0, 4]).pos]).toEqual([5]);
  });
});

