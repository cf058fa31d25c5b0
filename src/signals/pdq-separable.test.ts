import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { generateSource } from '../synthetic/images.js';
import { mulberry32 } from '../synthetic/prng.js';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../image/decode.js';
import { pdq } from './pdq.js';
import { pdqPhotos } from '../../test/conformance/vectors.js';
import { computePdq, computePdqFast } from './pdq/pipeline.js';
import { boxWindows, separableDecimate, simdAvailable } from './pdq/separable.js';
import type { Pixels } from './types.js';

/**
 * The fast pipeline's filter (float64, only at the kept samples) against the reference-exact one
 * on the same pixels. Measured on every conformance image and committed fixture: 0 bits apart,
 * 64x64 buffers within 6e-4 (on 0..255 luma); the bounds below are those measurements.
 */
const FILTER_MAX_BITS = 0;
const BUFFER_MAX_ABS_DIFF = 1e-3;
/** Both sum in float64 and round once to float32: at most an ulp of 255 in float32 apart. */
const SIMD_VS_JS_MAX_ABS_DIFF = 2 ** -15;

const IMAGE_FILE = /\.(jpe?g|png|webp|gif|tiff?)$/i;
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'images');
const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

function randomPixels(seed: number, width: number, height: number, channels: 1 | 3 | 4 = 4, pad = 0): Pixels {
  const rand = mulberry32(seed);
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { data, width, height, channels, stride };
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('pdq separable filter: same operator as the reference box passes', () => {
  it('box windows grow, slide and shrink as the reference pass does', () => {
    const { lo, hi } = boxWindows(10, 3);
    expect(Array.from(lo)).toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(hi)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 9]);
    const one = boxWindows(1, 1);
    expect([one.lo[0], one.hi[0]]).toEqual([0, 0]);
  });

  it.each([
    [64, 64],
    [200, 130],
    [1000, 70],
    [65, 777],
    [1024, 768],
  ])('%ix%i random RGBA: 64x64 buffer within float32 rounding of the reference', (w, h) => {
    const px = randomPixels(w * 7 + h, w, h);
    const exact = computePdq(px, false);
    const fast = computePdqFast(px);
    expect(maxAbsDiff(exact.buffer64, fast.buffer64)).toBeLessThan(BUFFER_MAX_ABS_DIFF);
    expect(maxAbsDiff(exact.buffer64, fast.buffer64)).toBeGreaterThan(0);
    expect([fast.windowAlongRows, fast.windowAlongCols]).toEqual([exact.windowAlongRows, exact.windowAlongCols]);
  });

  it('reads RGBA as 32-bit words or byte by byte with the same result; strides and 1/3 channels too', () => {
    const px = randomPixels(5, 300, 200);
    const shifted = new Uint8Array(px.data.length + 1);
    shifted.set(px.data, 1);
    const unaligned = { ...px, data: shifted.subarray(1) };
    expect(computePdqFast(unaligned).buffer64).toEqual(computePdqFast(px).buffer64);
    for (const [channels, pad] of [[1, 0], [3, 0], [3, 5], [4, 12]] as const) {
      const p = randomPixels(9, 150, 90, channels, pad);
      expect(maxAbsDiff(computePdq(p, false).buffer64, computePdqFast(p).buffer64)).toBeLessThan(BUFFER_MAX_ABS_DIFF);
    }
  });

  it('the WebAssembly SIMD row pass runs here and matches the JS loop (float64 sums in another order)', () => {
    expect(simdAvailable()).toBe(true);
    const cases: [number, number, number][] = [[1024, 768, 0], [65, 777, 0], [200, 131, 0], [301, 99, 12], [64, 64, 4]];
    for (const [w, h, pad] of cases) {
      const px = randomPixels(w + 3 * h, w, h, 4, pad);
      const simd = new Float32Array(64 * 64);
      const js = new Float32Array(64 * 64);
      separableDecimate(px, false, simd, true);
      separableDecimate(px, false, js, false);
      expect(maxAbsDiff(simd, js)).toBeLessThan(SIMD_VS_JS_MAX_ABS_DIFF);
    }
  });

  it('the SIMD row pass forms exactly the JS loop\'s integer luma (64x64: one tap of weight 1, so bit for bit)', () => {
    // Dark pixels keep the luma small, where float32 resolves one unit of the 22-bit fixed point;
    // alpha is random and must not count. Then full-range and saturated pixels.
    const dark = randomPixels(11, 64, 64);
    for (let i = 0; i < dark.data.length; i++) if ((i & 3) !== 3) dark.data[i] &= 3;
    const white = randomPixels(12, 64, 64);
    for (let i = 0; i < white.data.length; i++) if ((i & 3) !== 3) white.data[i] = 255;
    for (const px of [dark, white, randomPixels(13, 64, 64)]) {
      const simd = new Float32Array(64 * 64);
      const js = new Float32Array(64 * 64);
      separableDecimate(px, false, simd, true);
      separableDecimate(px, false, js, false);
      expect(Buffer.from(simd.buffer).equals(Buffer.from(js.buffer))).toBe(true);
    }
  });

  it('images under 64 px on a side take the exact path (bit for bit)', () => {
    for (const [w, h] of [[1, 1], [7, 5], [63, 400]]) {
      const px = randomPixels(w + h, w, h);
      expect(computePdqFast(px).hash).toEqual(computePdq(px, false).hash);
    }
  });
});

/** RGB pixels from `fill(i)` per pixel byte, rows `pad` bytes apart filled with garbage, at `offset` into a larger buffer. */
function rgbPixels(width: number, height: number, fill: (i: number) => number, pad = 0, offset = 0): Pixels {
  const garbage = mulberry32(width * 31 + height + pad);
  const stride = width * 3 + pad;
  const bytes = new Uint8Array(offset + stride * height + 7);
  const data = bytes.subarray(offset, offset + stride * height);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width * 3; x++) data[y * stride + x] = fill(i++);
    for (let x = width * 3; x < stride; x++) data[y * stride + x] = Math.floor(garbage() * 256);
  }
  return { data, width, height, channels: 3, stride };
}

/** The same pixels as RGBA, with a random alpha byte (which luma must not read). */
function withAlpha(px: Pixels, seed = 1): Pixels {
  const rand = mulberry32(seed);
  const { width, height, stride } = px;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0, i = y * stride; x < width; x++, i += 3, o += 4) {
      data[o] = px.data[i];
      data[o + 1] = px.data[i + 1];
      data[o + 2] = px.data[i + 2];
      data[o + 3] = Math.floor(rand() * 256);
    }
  }
  return { data, width, height, channels: 4, stride: width * 4 };
}

function decimated(px: Pixels, simd: boolean): Buffer {
  const out = new Float32Array(64 * 64);
  separableDecimate(px, false, out, simd);
  return Buffer.from(out.buffer);
}

const asFloats = (b: Buffer): Float32Array => new Float32Array(b.buffer, b.byteOffset, b.length / 4);

describe('pdq separable filter: the RGB SIMD kernel', () => {
  const random = (seed: number) => {
    const rand = mulberry32(seed);
    return () => Math.floor(rand() * 256);
  };
  const fills: [string, (i: number) => number][] = [
    ['random', random(21)],
    ['all 0', () => 0],
    ['all 255', () => 255],
    ['alternating bytes 0/255', (i) => (i & 1 ? 255 : 0)],
    ['alternating pixels black/white', (i) => (Math.floor(i / 3) & 1 ? 255 : 0)],
    ['one channel at 255', (i) => (i % 3 === 1 ? 255 : 0)],
  ];
  // [width, height, pad, byteOffset]: odd sizes, sizes near 64 on a side, strides that are not a
  // multiple of 4 (pad 0 with odd widths too) or carry garbage, views at odd offsets.
  const shapes: [number, number, number, number][] = [
    [64, 64, 0, 0],
    [65, 64, 0, 1],
    [64, 65, 1, 0],
    [67, 71, 2, 3],
    [66, 127, 5, 0],
    [127, 129, 0, 7],
    [201, 133, 13, 1],
    [333, 97, 3, 5],
    [1000, 70, 0, 0],
    [65, 777, 1, 0],
  ];

  it('is available here, and each pixel size has its own kernel', () => {
    expect(simdAvailable(3)).toBe(true);
    expect(simdAvailable(4)).toBe(true);
  });

  it.each(shapes)('%ix%i, pad %i, offset %i: bit for bit the RGBA kernel on the same pixels, for every fill', (w, h, pad, offset) => {
    for (const [name, fill] of fills) {
      const rgb = rgbPixels(w, h, fill, pad, offset);
      const viaRgb = decimated(rgb, true);
      expect(viaRgb.equals(decimated(withAlpha(rgb), true)), name).toBe(true);
      expect(maxAbsDiff(asFloats(viaRgb), asFloats(decimated(rgb, false))), name).toBeLessThan(SIMD_VS_JS_MAX_ABS_DIFF);
    }
  });

  it('reads a Buffer view at an odd byteOffset like a copy of it', () => {
    const rgb = rgbPixels(150, 91, random(22), 1);
    const pool = Buffer.alloc(rgb.data.length + 3, 0xa5);
    pool.set(rgb.data, 3);
    const view = { ...rgb, data: pool.subarray(3) };
    expect(view.data.byteOffset % 2).toBe(1);
    expect(decimated(view, true).equals(decimated(rgb, true))).toBe(true);
    expect(decimated(view, true).equals(decimated(withAlpha(rgb), true))).toBe(true);
  });

  it('forms exactly the JS loop\'s integer luma (64x64: one tap of weight 1, so bit for bit)', () => {
    for (const fill of [(i: number) => random(23)() & 3, random(24), () => 255]) {
      const rgb = rgbPixels(64, 64, fill, 1, 1);
      expect(decimated(rgb, true).equals(decimated(rgb, false))).toBe(true);
    }
  });

  it.each([
    [1024, 768, 0],
    [1023, 767, 3],
    [4000, 3000, 1],
  ])('%ix%i, pad %i: bands cross; RGB and RGBA kernels equal, and the JS loop within rounding', (w, h, pad) => {
    const rgb = rgbPixels(w, h, random(w + h), pad, 1);
    const viaRgb = decimated(rgb, true);
    const js = decimated(rgb, false);
    expect(viaRgb.equals(decimated(withAlpha(rgb), true))).toBe(true);
    expect(maxAbsDiff(asFloats(viaRgb), asFloats(js))).toBeLessThan(SIMD_VS_JS_MAX_ABS_DIFF);
  });

  it('RGB and RGBA each run in their own kernel, built on first use (a fresh copy of the module)', async () => {
    // Count instantiations and rows calls: the outputs alone cannot show which path ran, as the
    // JS loop's sums round to the same float32 almost everywhere.
    const wasm = (globalThis as unknown as { WebAssembly: { Instance: new (m: object, i: object) => { exports: object } } }).WebAssembly;
    const Instance = wasm.Instance;
    const rowsCalls: number[] = [];
    wasm.Instance = function (module: object, imports: object) {
      const exports = new Instance(module, imports).exports as { rows: (...args: number[]) => void };
      const k = rowsCalls.push(0) - 1;
      const rows = (...args: number[]): void => {
        rowsCalls[k]++;
        exports.rows(...args);
      };
      return { exports: { ...exports, rows } };
    } as unknown as typeof Instance;
    try {
      vi.resetModules();
      const fresh = await import('./pdq/separable.js');
      const run = (px: Pixels): void => void fresh.separableDecimate(px, false, new Float32Array(64 * 64));
      const rgb = rgbPixels(300, 200, () => 7, 1);
      run(rgb);
      expect(rowsCalls.length).toBe(1);
      expect(rowsCalls[0]).toBeGreaterThan(0);
      run(withAlpha(rgb));
      expect(rowsCalls.length).toBe(2);
      const before = [...rowsCalls];
      run(rgb);
      run({ ...rgb, channels: 1 });
      expect(rowsCalls.length).toBe(2);
      expect(rowsCalls[0]).toBeGreaterThan(before[0]);
      expect(rowsCalls[1]).toBe(before[1]);
    } finally {
      wasm.Instance = Instance;
    }
  });

  it('computePdqFast gives the same hash, quality and buffer for decoded RGB and RGBA', async () => {
    for (const [seed, w, h] of [[1, 1024, 768], [2, 640, 480], [3, 301, 199], [4, 97, 65], [5, 2000, 1500]]) {
      const src = await generateSource(seed, Math.ceil(w / 4), Math.ceil(h / 4));
      const jpeg = await sharp(src).resize(w, h).jpeg({ quality: 90 }).toBuffer();
      const raw = async (alpha: boolean): Promise<Pixels> => {
        const { data, info } = await (alpha ? sharp(jpeg).ensureAlpha() : sharp(jpeg)).raw().toBuffer({ resolveWithObject: true });
        expect(info.channels).toBe(alpha ? 4 : 3);
        return { data, width: info.width, height: info.height, channels: info.channels as 3 | 4, stride: info.width * info.channels };
      };
      const [rgb, rgba] = [computePdqFast(await raw(false)), computePdqFast(await raw(true))];
      expect(pdq.format(rgb.hash)).toBe(pdq.format(rgba.hash));
      expect(rgb.quality).toBe(rgba.quality);
      expect(Buffer.from(rgb.buffer64.buffer).equals(Buffer.from(rgba.buffer64.buffer))).toBe(true);
    }
  });
});

describe(`pdq fast filter vs fullres on the same decoded pixels: within ${FILTER_MAX_BITS} bits`, () => {
  const photos = pdqPhotos();
  const files = [...(photos ? walk(photos) : []), ...walk(FIXTURES).filter((f) => !f.includes(join('images', 'bad')))].filter((f) =>
    IMAGE_FILE.test(f),
  );

  it('covers the conformance set (when present) and the committed fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(photos ? 55 : 5);
  });

  it.each(files.map((f) => [f.slice(f.lastIndexOf('images') + 7), f] as const))('%s', async (_name, file) => {
    const { pixels } = await decodeImage(file, { limits: DEFAULT_DECODE_LIMITS, minSide: null });
    const full = computePdq(pixels, false);
    const fast = computePdqFast(pixels);
    expect(pdq.distance(full.hash, fast.hash)).toBeLessThanOrEqual(FILTER_MAX_BITS);
    expect(fast.quality).toBe(full.quality);
  });

  it.each([
    [1024, 768],
    [640, 480],
    [300, 200],
  ])('bench-style synthetic JPEGs %ix%i', async (w, h) => {
    for (let seed = 1; seed <= 3; seed++) {
      const src = await generateSource(seed, Math.ceil(w / 4), Math.ceil(h / 4));
      const jpeg = await sharp(src).resize(w, h).jpeg({ quality: 90 }).toBuffer();
      const { pixels } = await decodeImage(jpeg, { limits: DEFAULT_DECODE_LIMITS, minSide: null });
      expect(pdq.distance(computePdq(pixels, false).hash, computePdqFast(pixels).hash)).toBeLessThanOrEqual(FILTER_MAX_BITS);
    }
  });
});
