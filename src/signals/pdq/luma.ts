import type { Pixels } from '../types.js';

/** Rec. 601 luma weights. */
export const LUMA_R = 0.299;
export const LUMA_G = 0.587;
export const LUMA_B = 0.114;

/**
 * How the weighted sum is computed: `float64` then rounded to float32 (Pillow + numpy, i.e.
 * python-threatexchange / HMA), or `float32` throughout with float32 weights (the C++ tool).
 * Grey pixels give their value exactly either way: the C++ tool reads grey images as one channel.
 */
export type LumaArithmetic = 'float32' | 'float64';

const fround = Math.fround;
const R32 = fround(LUMA_R);
const G32 = fround(LUMA_G);
const B32 = fround(LUMA_B);

export interface LumaSize {
  readonly width: number;
  readonly height: number;
}

/**
 * Source index for each output index of the reference tool's nearest-neighbour resample:
 * floor(i * from / to), the top-left corner of each output cell (matched against its buffers).
 */
export function nearestIndices(from: number, to: number): Int32Array {
  const idx = new Int32Array(to);
  for (let i = 0; i < to; i++) idx[i] = Math.floor((i * from) / to);
  return idx;
}

/** True when every pixel has R = G = B (or the image has no colour channels). */
export function isGrey(pixels: Pixels): boolean {
  const { data, width, height, channels, stride } = pixels;
  if (channels < 3) return true;
  for (let y = 0; y < height; y++) {
    const end = y * stride + width * channels;
    for (let p = y * stride; p < end; p += channels) {
      if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
    }
  }
  return true;
}

/**
 * Fill `out` (row-major, size.width * size.height) with float32 luma; alpha is dropped. When
 * `size` differs from the pixels' size the image is resampled by nearest neighbour on the way.
 */
export function fillLuma(
  pixels: Pixels,
  size: LumaSize,
  arithmetic: LumaArithmetic,
  grey: boolean,
  out: Float32Array,
): void {
  const { data, stride, channels, width, height } = pixels;
  const rows = height === size.height ? null : nearestIndices(height, size.height);
  const cols = width === size.width ? null : nearestIndices(width, size.width);
  const offsets = cols ? Int32Array.from(cols, (c) => c * channels) : null;
  const outWidth = size.width;
  for (let y = 0; y < size.height; y++) {
    const rowStart = (rows ? rows[y] : y) * stride;
    const o = y * outWidth;
    if (offsets) fillRowSampled(data, rowStart, offsets, out, o, outWidth, arithmetic, grey);
    else fillRowContiguous(data, rowStart, channels, out, o, outWidth, arithmetic, grey);
  }
}

function fillRowContiguous(
  data: Uint8Array,
  p: number,
  step: number,
  out: Float32Array,
  o: number,
  n: number,
  arithmetic: LumaArithmetic,
  grey: boolean,
): void {
  const end = o + n;
  if (grey) {
    for (; o < end; o++, p += step) out[o] = data[p];
  } else if (arithmetic === 'float32') {
    for (; o < end; o++, p += step) out[o] = fround(fround(R32 * data[p]) + fround(G32 * data[p + 1])) + fround(B32 * data[p + 2]);
  } else {
    for (; o < end; o++, p += step) out[o] = LUMA_R * data[p] + LUMA_G * data[p + 1] + LUMA_B * data[p + 2];
  }
}

function fillRowSampled(
  data: Uint8Array,
  rowStart: number,
  offsets: Int32Array,
  out: Float32Array,
  o: number,
  n: number,
  arithmetic: LumaArithmetic,
  grey: boolean,
): void {
  for (let x = 0; x < n; x++) {
    const p = rowStart + offsets[x];
    if (grey) out[o + x] = data[p];
    else if (arithmetic === 'float32') out[o + x] = fround(fround(R32 * data[p]) + fround(G32 * data[p + 1])) + fround(B32 * data[p + 2]);
    else out[o + x] = LUMA_R * data[p] + LUMA_G * data[p + 1] + LUMA_B * data[p + 2];
  }
}
