import type { Pixels } from '../types.js';

/** Rec. 601 luma weights. */
const LUMA_R = 0.299;
const LUMA_G = 0.587;
const LUMA_B = 0.114;

/**
 * How the weighted sum is computed: `float64` then rounded to float32 (Pillow + numpy, i.e.
 * python-threatexchange / HMA), or `float32` throughout with float32 weights (the C++ tool).
 * Grey pixels give their value exactly either way: the C++ tool reads grey images as one channel.
 */
export type LumaArithmetic = 'float32' | 'float64';

const fround = Math.fround;

function weightTable(weight: number, arithmetic: LumaArithmetic): Float64Array {
  const t = new Float64Array(256);
  const w = arithmetic === 'float32' ? fround(weight) : weight;
  for (let v = 0; v < 256; v++) t[v] = arithmetic === 'float32' ? fround(w * v) : w * v;
  return t;
}

const TABLES = {
  float64: [weightTable(LUMA_R, 'float64'), weightTable(LUMA_G, 'float64'), weightTable(LUMA_B, 'float64')],
  float32: [weightTable(LUMA_R, 'float32'), weightTable(LUMA_G, 'float32'), weightTable(LUMA_B, 'float32')],
} as const;

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
  const { data, stride, channels } = pixels;
  const [rT, gT, bT] = TABLES[arithmetic];
  const same = size.width === pixels.width && size.height === pixels.height;
  const cols = same ? null : nearestIndices(pixels.width, size.width);
  const rows = same ? null : nearestIndices(pixels.height, size.height);
  const f32 = arithmetic === 'float32';
  for (let y = 0; y < size.height; y++) {
    const rowStart = (rows ? rows[y] : y) * stride;
    let o = y * size.width;
    for (let x = 0; x < size.width; x++, o++) {
      const p = rowStart + (cols ? cols[x] : x) * channels;
      if (grey) out[o] = data[p];
      else if (f32) out[o] = fround(rT[data[p]] + gT[data[p + 1]]) + bT[data[p + 2]];
      else out[o] = rT[data[p]] + gT[data[p + 1]] + bT[data[p + 2]];
    }
  }
}
