import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../synthetic/prng.js';
import { referenceBuffer64 } from '../../test/support/jarosz-reference.js';
import { formatHex } from './hex.js';
import { jaroszDecimate, jaroszWindowSize } from './pdq/jarosz.js';
import { jaroszDecimateLuma, jaroszDecimateRgb, jaroszSimdAvailable } from './pdq/jarosz-simd.js';
import { fillLuma } from './pdq/luma.js';
import type { Pixels } from './types.js';
import { hashRgbFrame } from './vpdq.js';

/**
 * The reference's per-frame filter three ways, bit for bit: a plain transcription of the C++
 * (test/support/jarosz-reference.ts: every pass over every value), the JS loops (jarosz.ts: last
 * passes only where decimation reads) and the WebAssembly SIMD kernel (jarosz-simd.ts).
 */

type Content = 'noise' | 'gradient' | 'extremes' | 'flat';

function frame(width: number, height: number, seed: number, content: Content, pad = 0): Pixels {
  const rand = mulberry32(seed);
  const stride = width * 3 + pad;
  const data = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * stride + x * 3;
      for (let c = 0; c < 3; c++) {
        const r = rand();
        data[p + c] =
          content === 'noise'
            ? Math.floor(r * 256)
            : content === 'gradient'
              ? Math.min(255, Math.floor(((x + y * c) * 255) / (width + height)) + (r < 0.1 ? 1 : 0))
              : content === 'extremes'
                ? ((x >> 2) + (y >> 1) + c) % 3 === 0 ? 255 : 0
                : 15 + c;
    }
    }
    for (let i = y * stride + width * 3; i < (y + 1) * stride; i++) data[i] = 0xff;
  }
  return { data, width, height, channels: 3, stride };
}

function jsBuffer64(px: Pixels): Float32Array {
  const n = px.width * px.height;
  const luma = new Float32Array(n);
  fillLuma(px, px, 'float32', false, luma);
  const out = new Float32Array(64 * 64);
  jaroszDecimate(luma, new Float32Array(n), px.width, px.height, out);
  return out;
}

function simdBuffer64(px: Pixels): Float32Array {
  const out = new Float32Array(64 * 64);
  expect(jaroszDecimateRgb(px, out)).toBe(true);
  return out;
}

const bytes = (a: Float32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Sizes with windows 1 (up to 128), 2, 3 and more, odd and even, under and over 64, not multiples of 4. */
const SIZES: [number, number][] = [
  [5, 5],
  [7, 6],
  [65, 64],
  [64, 65],
  [127, 131],
  [129, 257],
  [259, 130],
  [383, 97],
  [641, 359],
];

describe('per-frame Jarosz filter: reference transcription, JS loops and SIMD kernel agree bit for bit', () => {
  it('has the SIMD kernel on this Node (else the SIMD cases below would test nothing)', () => {
    expect(jaroszSimdAvailable()).toBe(true);
  });

  it('the sizes cover windows of 1 and more along both axes', () => {
    const windows = new Set(SIZES.flatMap(([w, h]) => [jaroszWindowSize(w), jaroszWindowSize(h)]));
    expect([...windows].sort((a, b) => a - b)).toEqual([1, 2, 3, 6]);
  });

  it.each(SIZES)('%ix%i: noise, gradient, extremes and flat content', (w, h) => {
    for (const content of ['noise', 'gradient', 'extremes', 'flat'] as const) {
      const px = frame(w, h, w * 1000 + h, content);
      const ref = bytes(referenceBuffer64(px));
      expect(bytes(jsBuffer64(px)).equals(ref), `${content} js`).toBe(true);
      expect(bytes(simdBuffer64(px)).equals(ref), `${content} simd`).toBe(true);
    }
  });

  it.each([
    [1280, 720],
    [1920, 1080],
  ])('%ix%i noise (video sizes)', (w, h) => {
    const px = frame(w, h, w + h, 'noise');
    const ref = bytes(referenceBuffer64(px));
    expect(bytes(jsBuffer64(px)).equals(ref)).toBe(true);
    expect(bytes(simdBuffer64(px)).equals(ref)).toBe(true);
  });

  it('rows padded past the pixels (stride > width * 3) give the same buffer', () => {
    for (const [w, h] of [[127, 131], [641, 359]]) {
      const padded = frame(w, h, 7, 'noise', 13);
      const packed = frame(w, h, 7, 'noise');
      expect(bytes(simdBuffer64(padded)).equals(bytes(referenceBuffer64(packed)))).toBe(true);
    }
  });

  it('keeps the same answer when frame sizes alternate (the kernel re-lays out its memory)', () => {
    const a = frame(383, 97, 1, 'noise');
    const b = frame(1280, 720, 2, 'noise');
    const first = bytes(simdBuffer64(a));
    simdBuffer64(b);
    expect(bytes(simdBuffer64(a)).equals(first)).toBe(true);
    expect(first.equals(bytes(referenceBuffer64(a)))).toBe(true);
  });

  it('hashRgbFrame gives the same hash and quality with and without SIMD', () => {
    for (const [w, h] of [...SIZES, [64, 64] as [number, number], [1280, 720] as [number, number]]) {
      const px = frame(w, h, w ^ h, 'gradient');
      const simd = hashRgbFrame(px);
      const js = hashRgbFrame(px, false);
      expect(formatHex(simd.hash), `${w}x${h}`).toBe(formatHex(js.hash));
      expect(simd.quality).toBe(js.quality);
    }
  });

  it('a luma plane (the still-image pipelines: float64 luma rounded to float32) gives what the JS loops give', () => {
    for (const [w, h] of [...SIZES, [1280, 720] as [number, number]]) {
      for (const content of ['noise', 'gradient'] as const) {
        const px = frame(w, h, w * 7 + h, content);
        const luma = new Float32Array(w * h);
        fillLuma(px, px, 'float64', false, luma);
        const js = new Float32Array(64 * 64);
        jaroszDecimate(Float32Array.from(luma), new Float32Array(w * h), w, h, js);
        const simd = new Float32Array(64 * 64);
        expect(jaroszDecimateLuma(luma, w, h, simd)).toBe(true);
        expect(bytes(simd).equals(bytes(js)), `${w}x${h} ${content}`).toBe(true);
      }
    }
    // A frame after a plane of the same size, and a plane after a frame, re-lay out correctly.
    const px = frame(383, 97, 3, 'noise');
    expect(bytes(simdBuffer64(px)).equals(bytes(referenceBuffer64(px)))).toBe(true);
  });

  it('leaves non-RGB pixels to the JS loops', () => {
    const rgba: Pixels = { data: new Uint8Array(100 * 80 * 4), width: 100, height: 80, channels: 4, stride: 400 };
    expect(jaroszDecimateRgb(rgba, new Float32Array(64 * 64))).toBe(false);
  });
});
