import { describe, expect, it } from 'vitest';
import { LinearIndex } from './linear.js';
import { ballMasks, ballSize, chooseEntries, chooseLayout, MultiIndexHash, segmentRadii, type EntryKind } from './mih.js';
import { flippedCopy, hashAt, randomBytes, randomPacked } from '../synthetic/hashes.js';
import { createPrng, type Prng } from '../synthetic/prng.js';
import type { IndexMatch, PackedHashes } from './types.js';

/** Queries with matches at every distance: entries with 0..maxFlips bits flipped, plus random ones. */
function queries(rand: Prng, packed: PackedHashes, n: number, maxFlips: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    if (packed.count === 0 || i % 5 === 4) out.push(randomBytes(rand, packed.bits / 8));
    else out.push(flippedCopy(rand, hashAt(packed, Math.floor(rand.float() * packed.count)), i % (maxFlips + 1)));
  }
  return out;
}

const text = (matches: IndexMatch[]) => matches.map((m) => `${m.id}:${m.distance}`).join(' ');

const ENTRY_KINDS: EntryKind[] = ['plain', 'sieved'];

/** Both table entry kinds (plain positions, sieved entries with filter bits) must answer like LinearIndex. */
function expectSameAsLinear(packed: PackedHashes, radii: number[], segments: number | undefined, seed: number, nQueries = 12): number {
  const linear = LinearIndex.build(packed);
  let matches = 0;
  for (const entries of ENTRY_KINDS) {
    const rand = createPrng(seed);
    const forced = MultiIndexHash.build(packed, { segments, strategy: 'mih', entries });
    const auto = MultiIndexHash.build(packed, { segments, entries });
    expect(forced.entries).toBe(entries);
    for (const radius of radii) {
      const mih = radius <= packed.bits / 2 ? forced : auto;
      for (const q of queries(rand, packed, nQueries, Math.min(packed.bits, radius + 2))) {
        const want = linear.query(q, radius);
        expect(text(mih.query(q, radius)), `${entries}, radius ${radius}`).toBe(text(want));
        expect(mih.lastQueryStrategy).toBe(mih.plan(radius).strategy);
        matches += want.length;
      }
    }
  }
  return matches;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const RADII_256 = [...range(0, 40), 64, 128, 255, 256, 300];

describe('MultiIndexHash agrees with LinearIndex', () => {
  it('64-bit random data, every radius 0..64, default segments', () => {
    const packed = randomPacked(createPrng(64), 64, 800);
    expect(expectSameAsLinear(packed, range(0, 64), undefined, 1, 5)).toBeGreaterThan(0);
  });

  for (const segments of [4, 6, 8]) {
    it(`64-bit random data, radii 0..24 and 32..64, ${segments} segments`, () => {
      const packed = randomPacked(createPrng(64 + segments), 64, 1000);
      expect(expectSameAsLinear(packed, [...range(0, 24), 32, 40, 48, 56, 63, 64], segments, 1, 5)).toBeGreaterThan(0);
    });
  }

  for (const segments of [undefined, 16, 24]) {
    it(`256-bit random data, radii 0..40 and 64..300, ${segments ?? 'default'} segments`, () => {
      const packed = randomPacked(createPrng(256), 256, 400);
      expect(expectSameAsLinear(packed, RADII_256, segments, 2, 8)).toBeGreaterThan(0);
    });
  }

  for (const bits of [8, 24, 160]) {
    it(`${bits}-bit hashes (not a whole number of 64-bit words)`, () => {
      const packed = randomPacked(createPrng(bits), bits, 700);
      expect(expectSameAsLinear(packed, range(0, Math.min(bits, 40)), undefined, 7, 4)).toBeGreaterThan(0);
    });
  }

  for (const entries of ENTRY_KINDS) {
    it(`uses ${entries} tables (not the fallback) at the radii the scanner uses, on a larger list`, () => {
      const packed = randomPacked(createPrng(9), 256, 100_000);
      const mih = MultiIndexHash.build(packed, { entries });
      expect(mih.plan(31).strategy).toBe('mih');
      const linear = LinearIndex.build(packed);
      const rand = createPrng(10);
      for (const q of queries(rand, packed, 30, 24)) {
        expect(mih.query(q, 31)).toEqual(linear.query(q, 31));
        expect(mih.lastQueryStrategy).toBe('mih');
      }
      expect(mih.plan(256)).toMatchObject({ strategy: 'linear' });
    });
  }

  it('sieved tables with dense buckets (touched in the bounds pass) and sparse ones agree with LinearIndex', () => {
    const packed = randomPacked(createPrng(14), 256, 20_000);
    const linear = LinearIndex.build(packed);
    const rand = createPrng(15);
    const qs = queries(rand, packed, 25, 31);
    for (const widths of [[8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8], Array(16).fill(16), [24, 24, 24, 24, 24, 24, 24, 24, 24, 24, 16]]) {
      const mih = MultiIndexHash.build(packed, { widths, entries: 'sieved', strategy: 'mih' });
      for (const q of qs) for (const radius of [0, 12, 31]) expect(text(mih.query(q, radius)), widths.join(',')).toBe(text(linear.query(q, radius)));
    }
  });
});

describe('MultiIndexHash on hostile data', () => {
  for (const bits of [64, 256]) {
    it(`all ${bits}-bit hashes equal (output buffer grows past its first size)`, () => {
      const one = randomBytes(createPrng(1), bits / 8);
      const count = 2000;
      const bytes = new Uint8Array(count * (bits / 8));
      for (let i = 0; i < count; i++) bytes.set(one, (i * bits) / 8);
      const packed = { bits, count, bytes, ids: Uint32Array.from({ length: count }, (_, i) => count - i) };
      expect(expectSameAsLinear(packed, [0, 1, 5, 31, bits], undefined, 3, 4)).toBeGreaterThan(0);
      const got = MultiIndexHash.build(packed, { strategy: 'mih' }).query(one, 0);
      expect(got.length).toBe(count);
      expect(got[0]).toEqual({ id: count, distance: 0 });
    });

    it(`every ${bits}-bit hash in one bucket of the first segment`, () => {
      const rand = createPrng(bits + 1);
      const packed = randomPacked(rand, bits, 600);
      for (let i = 0; i < packed.count; i++) packed.bytes.fill(0xa5, (i * bits) / 8, (i * bits) / 8 + 4);
      expect(expectSameAsLinear(packed, [0, 1, 2, 3, 8, 10, 16, 31, bits], bits === 64 ? 8 : 16, 4)).toBeGreaterThan(0);
    });

    it(`${bits}-bit: an empty index and a single entry`, () => {
      const empty = MultiIndexHash.build({ bits, count: 0, bytes: new Uint8Array(0), ids: new Uint32Array(0) });
      expect(empty.query(new Uint8Array(bits / 8), 0)).toEqual([]);
      expect(empty.query(new Uint8Array(bits / 8), bits)).toEqual([]);
      const single = randomPacked(createPrng(5), bits, 1);
      expect(expectSameAsLinear(single, [0, 1, 2, 10, 31, bits], undefined, 6, 6)).toBeGreaterThan(0);
    });
  }
});

describe('MultiIndexHash planning', () => {
  it('falls back to a linear scan where probing cannot pay, and says why', () => {
    const mih = MultiIndexHash.build(randomPacked(createPrng(11), 64, 50));
    const plan = mih.plan(64);
    expect(plan.strategy).toBe('linear');
    expect(plan.reason).toMatch(/linear|probe sets/);
    mih.query(new Uint8Array(8), 64);
    expect(mih.lastQueryStrategy).toBe('linear');
  });

  it('chooses sieved entries only while the index fits its memory cap', () => {
    expect(chooseLayout(256, 1_000_000, 31).entries).toBe('sieved');
    expect(chooseLayout(256, 10_000_000, 31).entries).toBe('plain');
    expect(chooseLayout(256, 10_000_000, 31, undefined, 'sieved').entries).toBe('sieved');
    expect(() => MultiIndexHash.build(randomPacked(createPrng(16), 64, 10), { entries: 'packed' as EntryKind })).toThrow(/entries/);
    const packed = randomPacked(createPrng(17), 256, 3000);
    const widths = Array(16).fill(16);
    expect(MultiIndexHash.build(packed, { widths }).entries).toBe(chooseEntries(256, 3000, 31, widths));
    expect(MultiIndexHash.build(packed, { widths, entries: 'plain' }).entries).toBe('plain');
  });

  it('rejects a segment count it cannot build', () => {
    const packed = randomPacked(createPrng(12), 64, 10);
    expect(() => MultiIndexHash.build(packed, { segments: 2 })).toThrow(/segment count from 3 to 16/);
    expect(() => MultiIndexHash.build(packed, { segments: 65 })).toThrow(/segment count/);
  });

  it('segment radii satisfy the pigeonhole: any split of distance <= r has a segment within its radius', () => {
    const rand = createPrng(13);
    for (let t = 0; t < 3000; t++) {
      const m = 1 + Math.floor(rand.float() * 16);
      const widths = Array.from({ length: m }, () => 4 + Math.floor(rand.float() * 20));
      const total = widths.reduce((a, b) => a + b, 0);
      const radius = Math.floor(rand.float() * (total + 1));
      const radii = segmentRadii(radius, widths);
      const d = widths.map(() => 0);
      for (let k = 0; k < radius; k++) {
        const free = widths.map((w, i) => (d[i] < w ? i : -1)).filter((i) => i >= 0);
        if (free.length === 0) break;
        d[free[Math.floor(rand.float() * free.length)]]++;
      }
      expect(d.some((di, i) => di <= radii[i])).toBe(true);
    }
  });

  it('probe sets are the Hamming ball: distinct, within the radius, and complete', () => {
    for (const [w, a] of [[8, 0], [8, 3], [12, 2], [10, 10]] as const) {
      const masks = ballMasks(w, a);
      expect(masks.length).toBe(ballSize(w, a));
      expect(new Set(masks).size).toBe(masks.length);
      let inBall = 0;
      for (let v = 0; v < 2 ** w; v++) if (v.toString(2).replace(/0/g, '').length <= a) inBall++;
      expect(masks.length).toBe(inBall);
      expect(Math.max(...masks)).toBeLessThan(2 ** w);
    }
  });
});
