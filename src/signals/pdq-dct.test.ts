import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synthetic/prng.js';
import { dct64To16, dct64To16Js, dctSimdAvailable, lowerMedian, pdqQuality, pdqQualityJs } from './pdq/dct.js';
import { computePdq } from './pdq/pipeline.js';
import type { Pixels } from './types.js';

/**
 * The SIMD DCT and quality (dct-simd.ts) against the JS loops they replace, which are the
 * reference's float32 arithmetic: every output bit must agree (compared as integers, so -0 and
 * +0 differ), on ordinary buffers and on ones built to break a reordered or mis-masked kernel.
 */
const N = 64;
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const F32_MAX = 3.4028234663852886e38;
const SUBNORMAL = 1e-45;

function buffer(fill: (i: number, j: number, rand: () => number) => number, seed = 1): Float32Array {
  const rand = mulberry32(seed);
  const a = new Float32Array(N * N);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) a[i * N + j] = fill(i, j, rand);
  return a;
}

/** Named buffers: the usual range, constants, extremes, cancellation, and single spikes on the kernel's 4- and 32-column boundaries. */
const HOSTILE: ReadonlyArray<readonly [string, Float32Array]> = [
  ['random luma 0..255', buffer((_i, _j, r) => r() * 255)],
  ['random luma, other seed', buffer((_i, _j, r) => r() * 255, 99)],
  ['all zero', buffer(() => 0)],
  ['all negative zero', buffer(() => -0)],
  ['all 255', buffer(() => 255)],
  ['all equal, odd value', buffer(() => 1 / 3)],
  ['huge alternating (sums overflow to infinity)', buffer((i, j) => ((i + j) & 1 ? F32_MAX : -F32_MAX))],
  ['huge random signs', buffer((_i, _j, r) => (r() < 0.5 ? -1 : 1) * F32_MAX * r())],
  ['huge same sign (infinite sums)', buffer(() => F32_MAX)],
  ['subnormal', buffer((_i, _j, r) => (r() - 0.5) * 1e3 * SUBNORMAL)],
  ['tiny and huge mixed', buffer((_i, _j, r) => (r() < 0.5 ? SUBNORMAL : 1e30) * (r() < 0.5 ? -1 : 1))],
  ['every exponent', buffer((_i, _j, r) => (r() - 0.5) * 2 ** Math.floor(r() * 250 - 125))],
  ['negative luma', buffer((_i, _j, r) => -r() * 255)],
  ['cancellation (1e8 +- 1)', buffer((i, j) => 1e8 + ((i * 7 + j) % 3) - 1)],
  ['spike at column 0', buffer((i, j) => (i === 5 && j === 0 ? 1000 : 0))],
  ['spike at column 31', buffer((i, j) => (i === 63 && j === 31 ? -1000 : 0))],
  ['spike at column 32', buffer((i, j) => (i === 0 && j === 32 ? 1000 : 0))],
  ['spike at column 63', buffer((i, j) => (i === 40 && j === 63 ? 1000 : 0))],
  ['gradient ramp', buffer((i, j) => i * 3 + j * 0.5)],
];

/** Low-contrast noise: qualities across 0..100 rather than the extremes, so the sum itself is compared. */
const MIDDLING = Array.from({ length: 60 }, (_, s) => buffer((i, j, r) => 100 + i * 0.3 + r() * (s * 0.4), s + 1000));

function randomPixels(seed: number, width: number, height: number): Pixels {
  const rand = mulberry32(seed);
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { data, width, height, channels: 4, stride: width * 4 };
}

describe('pdq DCT and quality: SIMD kernel bit-identical to the float32 JS loops', () => {
  it('runs the kernel here (Node 20 has WebAssembly SIMD), so the comparisons below compare something', () => {
    expect(dctSimdAvailable()).toBe(true);
  });

  it.each(HOSTILE)('%s: same DCT bits and quality', (_name, a) => {
    expect(bits(dct64To16(a))).toEqual(bits(dct64To16Js(a)));
    expect(pdqQuality(a)).toBe(pdqQualityJs(a));
  });

  it('middling buffers: same DCT bits, same quality, and the qualities span 0..100', () => {
    const qualities = new Set<number>();
    for (const a of MIDDLING) {
      expect(bits(dct64To16(a))).toEqual(bits(dct64To16Js(a)));
      const q = pdqQuality(a);
      expect(q).toBe(pdqQualityJs(a));
      qualities.add(q);
    }
    expect(Math.min(...qualities)).toBeLessThan(20);
    expect(Math.max(...qualities)).toBe(100);
    expect(qualities.size).toBeGreaterThan(20);
  });

  it('quality of constant rows counts 63 x 64 vertical steps and no step from a row end to the next row start', () => {
    // Each vertical difference is 2.6 (one unit once scaled by 100/255); horizontally there are none.
    // A kernel that let a row's last difference reach into the next row would count 63 more.
    const rows = buffer((i) => i * 2.6);
    expect(pdqQualityJs(rows)).toBe(Math.trunc((63 * 64) / 90));
    expect(pdqQuality(rows)).toBe(Math.trunc((63 * 64) / 90));
  });

  it('quality divides by 255 in float32: a step just under 3 units counts 2 (times 1/255 would make it 3)', () => {
    // fround(7.649999618530273 * 100) = 764.9999..., / 255 rounds to 2.9999998, * fround(1/255) to 3.
    const d = 7.649999618530273;
    const stripes = buffer((i) => (i & 1 ? d : 0));
    expect(pdqQualityJs(stripes)).toBe(Math.trunc((63 * 64 * 2) / 90));
    expect(pdqQuality(stripes)).toBe(Math.trunc((63 * 64 * 2) / 90));
  });

  it('quality saturates at 100 whether one term or many reach it', () => {
    const one = buffer((i, j) => (i === 10 && j === 10 ? 23_000 : 0));
    expect(pdqQualityJs(one)).toBe(100);
    expect(pdqQuality(one)).toBe(100);
    const justUnder = buffer((i, j) => (i === 10 && j === 10 ? 2_295 : 0));
    expect(pdqQuality(justUnder)).toBe(pdqQualityJs(justUnder));
    expect(pdqQuality(justUnder)).toBeLessThan(100);
  });

  it('real filter output (random RGBA through the exact pipeline): same DCT bits and quality', () => {
    for (const [w, h] of [
      [64, 64],
      [300, 200],
      [97, 513],
    ]) {
      const { buffer64 } = computePdq(randomPixels(w + h, w, h), false);
      expect(bits(dct64To16(buffer64))).toEqual(bits(dct64To16Js(buffer64)));
      expect(pdqQuality(buffer64)).toBe(pdqQualityJs(buffer64));
    }
  });

  it('writes into a given output array and leaves the input untouched', () => {
    const a = HOSTILE[0][1];
    const before = bits(a);
    const out = new Float32Array(256).fill(7);
    expect(dct64To16(a, out)).toBe(out);
    expect(bits(out)).toEqual(bits(dct64To16Js(a)));
    expect(bits(a)).toEqual(before);
  });
});

describe('lowerMedian', () => {
  it('is the 128th smallest of 256, as a full sort gives, call after call', () => {
    const rand = mulberry32(5);
    for (let t = 0; t < 20; t++) {
      const v = Float32Array.from({ length: 256 }, () => (rand() - 0.5) * 1000);
      const copy = Float32Array.from(v);
      expect(lowerMedian(v)).toBe(Float32Array.from(v).sort()[127]);
      expect(bits(v)).toEqual(bits(copy));
    }
  });

  it('other lengths, and signed zeros ordered as a typed-array sort orders them', () => {
    expect(lowerMedian(Float32Array.from([3, 1, 2]))).toBe(2);
    expect(lowerMedian(Float32Array.from([4, 1, 3, 2]))).toBe(2);
    expect(Object.is(lowerMedian(Float32Array.from([0, -0, 0])), 0)).toBe(true);
    expect(Object.is(lowerMedian(Float32Array.from([0, -0, -0, 0])), -0)).toBe(true);
  });
});
