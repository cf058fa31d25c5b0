import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pdqPhotos } from '../../test/conformance/vectors.js';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../image/decode.js';
import { mulberry32 } from '../synthetic/prng.js';
import { pdq } from './pdq.js';
import { jaroszWindowSize } from './pdq/jarosz.js';
import { LUMA_B, LUMA_G, LUMA_R } from './pdq/luma.js';
import { hashFromBuffer64 } from './pdq/pipeline.js';
import { integerTaps, sampleTaps, separableDecimate, simdAvailable } from './pdq/separable.js';
import type { Pixels } from './types.js';

/**
 * The integer row kernel (simd-int.ts) against a model of its arithmetic in JS: exact integer
 * row sums per channel, the float64 luma of each, the float64 column pass in the kernel's order,
 * then the division by each column's denominator. The kernel must give these float32 values bit
 * for bit (its row sums are exact, so no order of addition can differ).
 */
const FIXED = 2 ** 22;
const [FR, FG, FB] = [LUMA_R, LUMA_G, LUMA_B].map((w) => Math.round(w * FIXED));

function integerModel(px: Pixels): Float32Array {
  const { data, width, height, channels, stride } = px;
  const across = integerTaps(width, jaroszWindowSize(width))!;
  const down = sampleTaps(height, jaroszWindowSize(height));
  const mid = new Float64Array(height * 64);
  for (let y = 0; y < height; y++) {
    for (let s = 0; s < 64; s++) {
      const sums = [0, 0, 0];
      for (let k = 0; k < across.lengths[s]; k++) {
        const c = across.counts[s * across.span + k];
        const p = y * stride + (across.starts[s] + k) * channels;
        for (let ch = 0; ch < 3; ch++) sums[ch] += c * data[p + ch];
      }
      mid[y * 64 + s] = FR * sums[0] + FG * sums[1] + FB * sums[2];
    }
  }
  const out = new Float32Array(64 * 64);
  for (let r = 0; r < 64; r++) {
    for (let s = 0; s < 64; s++) {
      let acc = 0;
      for (let k = 0; k < down.lengths[r]; k++) acc += mid[(down.starts[r] + k) * 64 + s] * down.weights[r * down.span + k];
      out[r * 64 + s] = (acc / across.denominators[s]) / FIXED;
    }
  }
  return out;
}

function randomPixels(seed: number, width: number, height: number, channels: 1 | 3 | 4, pad = 0): Pixels {
  const rand = mulberry32(seed);
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { data, width, height, channels, stride };
}

function decimated(px: Pixels, simd: boolean | 'integer' | 'float64'): Float32Array {
  const out = new Float32Array(64 * 64);
  separableDecimate(px, px.channels < 3, out, simd);
  return out;
}

const bytes = (f: Float32Array): Buffer => Buffer.from(f.buffer, f.byteOffset, f.byteLength);

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The float64 kernel and the JS loop round differently: at most an ulp of 255 in float32 apart (as pdq-separable.test.ts). */
const ROUNDING = 2 ** -15;

describe('pdq integer taps', () => {
  it('are the float64 taps exactly: counts over the denominator, summing to it, on the same support', () => {
    for (let length = 1; length <= 3000; length += length < 300 ? 1 : 37) {
      const window = jaroszWindowSize(length);
      const ints = integerTaps(length, window)!;
      const floats = sampleTaps(length, window);
      expect(Array.from(ints.starts)).toEqual(Array.from(floats.starts));
      expect(Array.from(ints.lengths)).toEqual(Array.from(floats.lengths));
      for (let s = 0; s < 64; s++) {
        let total = 0;
        for (let k = 0; k < ints.lengths[s]; k++) {
          const c = ints.counts[s * ints.span + k];
          expect(c).toBeGreaterThan(0);
          total += c;
          expect(Math.abs(c / ints.denominators[s] - floats.weights[s * floats.span + k])).toBeLessThan(1e-15);
        }
        expect(total).toBe(ints.denominators[s]);
      }
    }
  });

  it('serve widths up to where a count or a row sum would overflow, and not beyond', () => {
    const at = (length: number) => integerTaps(length, jaroszWindowSize(length));
    expect(at(4032)).not.toBeNull();
    expect(at(20000)).not.toBeNull();
    expect(at(24000)).toBeNull();
    const wide = at(20000)!;
    expect(Math.max(...wide.counts)).toBeLessThanOrEqual(0x7fff);
    expect(255 * Math.max(...wide.denominators)).toBeLessThanOrEqual(0x7fffffff);
  });
});

describe('pdq integer SIMD row kernel', () => {
  it('is available here for RGB and RGBA', () => {
    expect(simdAvailable(3, 'integer')).toBe(true);
    expect(simdAvailable(4, 'integer')).toBe(true);
  });

  // Odd sizes (each step of eight pixels partly past a sample's taps, rows in odd counts), strides with garbage.
  const shapes: [number, number, number][] = [
    [1, 1, 0],
    [15, 17, 0],
    [15, 17, 3],
    [63, 64, 0],
    [64, 63, 1],
    [64, 64, 0],
    [385, 100, 2],
    [1024, 768, 0],
    [4097, 3, 5],
    [4032, 40, 0],
  ];
  it.each(shapes)('%ix%i, pad %i: RGB and RGBA bit for bit the model of its arithmetic; the float64 kernel and the JS loop within rounding', (w, h, pad) => {
    for (const channels of [3, 4] as const) {
      const px = randomPixels(w * 31 + h * 7 + channels + pad, w, h, channels, pad);
      const viaInt = decimated(px, 'integer');
      expect(bytes(viaInt).equals(bytes(integerModel(px))), `${channels} channels`).toBe(true);
      expect(maxAbsDiff(viaInt, decimated(px, 'float64'))).toBeLessThan(ROUNDING);
      expect(maxAbsDiff(viaInt, decimated(px, false))).toBeLessThan(ROUNDING);
    }
  });

  it('saturated and dark pixels: exact at both ends of the byte range', () => {
    for (const fill of [255, 1, 0]) {
      for (const channels of [3, 4] as const) {
        const px = randomPixels(3, 301, 77, channels);
        px.data.fill(fill);
        const viaInt = decimated(px, 'integer');
        expect(bytes(viaInt).equals(bytes(integerModel(px)))).toBe(true);
        // A flat image filters to itself: luma of the fill in every cell, to float32 rounding.
        for (const v of viaInt) expect(Math.abs(v - fill * (FR + FG + FB) / FIXED)).toBeLessThan(ROUNDING);
      }
    }
  });

  it('grey (1 channel) stays on the JS loop: the same result whichever kernel is asked for', () => {
    const px = randomPixels(5, 150, 91, 1, 3);
    expect(bytes(decimated(px, 'integer')).equals(bytes(decimated(px, false)))).toBe(true);
  });

  it('widths the integer taps do not serve take the float64 kernel (the same values as asking for it)', () => {
    const px = randomPixels(7, 24000, 2, 3);
    expect(integerTaps(24000, jaroszWindowSize(24000))).toBeNull();
    expect(bytes(decimated(px, true)).equals(bytes(decimated(px, 'float64')))).toBe(true);
  });
});

const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?)$/i;
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'images');
const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

describe('pdq integer kernel vs the float64 kernel on decoded images: the same hashes', () => {
  const photos = pdqPhotos();
  const files = [...(photos ? walk(photos) : []), ...walk(FIXTURES).filter((f) => !f.includes(join('images', 'bad')))].filter((f) => IMAGE_FILE.test(f));

  it.each(files.map((f) => [f.slice(f.lastIndexOf('images') + 7), f] as const))('%s', async (_name, file) => {
    const { pixels } = await decodeImage(file, { limits: DEFAULT_DECODE_LIMITS, minSide: null });
    if (pixels.width < 64 || pixels.height < 64) return;
    const viaInt = hashFromBuffer64(decimated(pixels, 'integer'));
    const viaFloat = hashFromBuffer64(decimated(pixels, 'float64'));
    expect(pdq.distance(viaInt.hash, viaFloat.hash)).toBe(0);
    expect(viaInt.quality).toBe(viaFloat.quality);
    expect(maxAbsDiff(viaInt.buffer64, viaFloat.buffer64)).toBeLessThan(ROUNDING);
  });
});
