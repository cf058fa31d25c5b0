import { describe, expect, it } from 'vitest';
import { getTransform } from '../synthetic/transforms.js';
import { hammingBytes } from '../signals/hex.js';
import { DIHEDRAL_NAMES, type DihedralName, type PerceptualSignalType, type Pixels } from '../signals/types.js';
import { bufferHasher } from './hashing.js';
import { runEval, thresholdGrid, variantsOf, type EvalSize } from './run.js';

const GRID = 8;

/** Mean luma of each cell of an 8x8 grid. */
function cellMeans(p: Pixels): number[] {
  const sums = new Array<number>(GRID * GRID).fill(0);
  const counts = new Array<number>(GRID * GRID).fill(0);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const o = y * p.stride + x * p.channels;
      const cell = Math.floor((y * GRID) / p.height) * GRID + Math.floor((x * GRID) / p.width);
      sums[cell] += p.data[o] + p.data[o + 1] + p.data[o + 2];
      counts[cell] += 1;
    }
  }
  return sums.map((s, i) => s / counts[i]);
}

function bitsOf(means: number[]): Uint8Array {
  const avg = means.reduce((a, b) => a + b, 0) / means.length;
  const out = new Uint8Array(GRID);
  means.forEach((m, i) => {
    if (m > avg) out[i >> 3] |= 1 << (i & 7);
  });
  return out;
}

/** The 8 symmetries of the square grid, as index maps. */
const SYMMETRIES: ((x: number, y: number) => [number, number])[] = [
  (x, y) => [x, y],
  (x, y) => [GRID - 1 - y, x],
  (x, y) => [GRID - 1 - x, GRID - 1 - y],
  (x, y) => [y, GRID - 1 - x],
  (x, y) => [GRID - 1 - x, y],
  (x, y) => [x, GRID - 1 - y],
  (x, y) => [y, x],
  (x, y) => [GRID - 1 - y, GRID - 1 - x],
];

/** A stand-in perceptual signal (64-bit average hash over an 8x8 grid) to test the machinery. */
function averageHash(minQuality: number | null): PerceptualSignalType {
  return {
    name: 'ahash',
    kind: 'perceptual',
    bits: 64,
    defaultThreshold: 6,
    description: 'test average hash',
    minQuality,
    supportsDihedral: true,
    parse: (hex) => Uint8Array.from(Buffer.from(hex, 'hex')),
    format: (h) => Buffer.from(h).toString('hex'),
    distance: hammingBytes,
    minDecodeSide: () => null,
    readsAlpha: false,
    fromPixels: (p, options) => {
      const means = cellMeans(p);
      const hash = bitsOf(means);
      if (!options.dihedral) return { hash, quality: 100 };
      const dihedral = Object.fromEntries(
        DIHEDRAL_NAMES.map((name, k) => {
          const moved = means.map((_, i) => {
            const [sx, sy] = SYMMETRIES[k](i % GRID, Math.floor(i / GRID));
            return means[sy * GRID + sx];
          });
          return [name, bitsOf(moved)];
        }),
      ) as Record<DihedralName, Uint8Array>;
      return { hash, quality: 100, dihedral };
    },
  };
}

const SIZE: EvalSize = { unrelatedSources: 7, transformedSources: 3, minSide: 64, maxSide: 64 };
const TRANSFORMS = ['png', 'rot90', 'mirror', 'blur-1.5'].map(getTransform);
const options = { pdqPipeline: 'fullres' as const, dihedral: true, blockhashBits: 16 };

function run(seed: number, minQuality: number | null = 50, concurrency = 2) {
  const signal = averageHash(minQuality);
  return runEval({ seed, size: SIZE, signals: [signal], transforms: TRANSFORMS, hasher: bufferHasher([signal], options), concurrency });
}

describe('runEval', () => {
  it('makes a plain and a dihedral variant for signals that support it', () => {
    const ids = variantsOf([averageHash(null)]).map((v) => [v.id, v.dihedral]);
    expect(ids).toEqual([
      ['ahash', false],
      ['ahash-dihedral', true],
    ]);
  });

  it('counts every transformed image and every unrelated pair', async () => {
    const result = await run(1);
    const [plain, dihedral] = result.variants;
    for (const v of result.variants) {
      expect(v.transforms.map((t) => t.id)).toEqual(['png', 'rot90', 'mirror', 'blur-1.5']);
      for (const t of v.transforms) {
        expect(t.n).toBe(3);
        expect(t.histogram.reduce((a, b) => a + b, 0)).toBe(3);
        expect(t.tpRate95[0]).toBeLessThanOrEqual(t.tpRate);
        expect(t.tpRate95[1]).toBeGreaterThanOrEqual(t.tpRate);
      }
      expect(v.unrelated.pairs).toBe((7 * 6) / 2);
      expect(v.sameSource.dihedral.reduce((a, b) => a + b, 0)).toBe(6);
      expect(v.sameSource.other.reduce((a, b) => a + b, 0)).toBe(6);
    }
    const png = plain.transforms[0];
    expect(png.distance.max).toBe(0);
    expect(png.matched).toBe(3);
    expect(png.tpRate).toBe(1);
    // square sources whose sides divide into the grid: a rotation or mirror permutes the cells exactly
    for (const id of ['rot90', 'mirror']) {
      const t = dihedral.transforms.find((x) => x.id === id)!;
      expect(t.distance.max, id).toBe(0);
      expect(t.matched, id).toBe(3);
    }
    expect(plain.transforms.find((x) => x.id === 'rot90')!.distance.max).toBeGreaterThan(0);
    expect(dihedral.unrelated.distance.min!).toBeLessThanOrEqual(plain.unrelated.distance.min!);
  });

  it('builds a monotone threshold table that agrees with the default-threshold figures', async () => {
    const [plain] = (await run(2)).variants;
    const rows = plain.thresholds;
    expect(rows.map((r) => r.threshold)).toEqual(thresholdGrid(64, 6));
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i].fp).toBeGreaterThanOrEqual(rows[i - 1].fp);
      expect(rows[i].tpRate).toBeGreaterThanOrEqual(rows[i - 1].tpRate);
    }
    const atDefault = rows.find((r) => r.threshold === 6)!;
    expect(atDefault.fp).toBe(plain.unrelated.fp);
    expect(atDefault.fpRateUpper95).toBe(plain.unrelated.fpRateUpper95);
    const last = rows[rows.length - 1];
    expect(plain.largestZeroFpThreshold).toBe(rows.filter((r) => r.fp === 0).pop()?.threshold ?? null);
    expect(last.threshold).toBe(32);
    const zeroFp = rows.filter((r) => r.fp === 0).pop() ?? null;
    expect(plain.recommended).toEqual(atDefault.fp === 0 ? atDefault : zeroFp);
    for (const t of plain.transforms) {
      const n = t.histogram.slice(0, plain.recommended!.threshold + 1).reduce((a, b) => a + b, 0);
      expect(t.tpRateAtRecommended).toBe(n / t.n);
    }
  });

  it('never matches a hash below the quality cut-off', async () => {
    const [plain] = (await run(1, 101)).variants;
    const png = plain.transforms[0];
    expect(png.distance.max).toBe(0);
    expect(png.lowQuality).toBe(3);
    expect(png.matched).toBe(0);
    expect(plain.lowQualitySources).toBe(7);
    expect(plain.sourceQuality).toEqual({ n: 7, min: 100, median: 100, p95: 100, max: 100 });
  });

  it('gives the same result for the same seed whatever the concurrency, and another for another seed', async () => {
    const strip = (r: Awaited<ReturnType<typeof run>>) => JSON.stringify(r.variants);
    const a = strip(await run(5, 50, 1));
    expect(strip(await run(5, 50, 3))).toBe(a);
    expect(strip(await run(6, 50, 2))).not.toBe(a);
  });
});

describe('thresholdGrid', () => {
  it('steps by 4 to half the bits and includes the default', () => {
    expect(thresholdGrid(16, 5)).toEqual([0, 4, 5, 8]);
    expect(thresholdGrid(256, 31)).toContain(31);
    expect(thresholdGrid(256, 31).at(-1)).toBe(128);
  });
});
