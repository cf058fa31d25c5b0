/**
 * The PDQ back end: 64x64 float32 buffer -> quality metric, 16x16 DCT, median threshold, bits,
 * and the 8 dihedral variants derived from the same DCT. float32 arithmetic, reference order.
 */
import type { DihedralName } from '../types.js';

const fround = Math.fround;
const N = 64;
const D = 16;
export const PDQ_HASH_BYTES = 32;

/** 16x64 DCT-II rows 1..16 (the DC row is skipped), scaled by sqrt(2/64), stored as float32. */
const DCT_MATRIX: Float32Array = (() => {
  const m = new Float32Array(D * N);
  const scale = fround(Math.sqrt(2 / N));
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < N; j++) m[i * N + j] = scale * Math.cos((Math.PI / 2 / N) * (i + 1) * (2 * j + 1));
  }
  return m;
})();

/** B = D A D^T with float32 products and running sums, k innermost as in the reference. */
export function dct64To16(a: Float32Array, out16: Float32Array = new Float32Array(D * D)): Float32Array {
  const t = new Float32Array(D * N);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum = fround(sum + fround(DCT_MATRIX[i * N + k] * a[k * N + j]));
      t[i * N + j] = sum;
    }
  }
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      let sum = 0;
      for (let k = 0; k < N; k++) sum = fround(sum + fround(t[i * N + k] * DCT_MATRIX[j * N + k]));
      out16[i * D + j] = sum;
    }
  }
  return out16;
}

const QUALITY_DIVISOR = 90;
const MAX_QUALITY = 100;

/** Image-domain quality: summed truncated gradients of the 64x64 buffer, 0..100. */
export function pdqQuality(a: Float32Array): number {
  let gradientSum = 0;
  const step = (u: number, v: number): number => Math.abs(Math.trunc(fround(fround(fround(u - v) * 100) / 255)));
  for (let i = 0; i < N - 1; i++) {
    for (let j = 0; j < N; j++) gradientSum += step(a[i * N + j], a[(i + 1) * N + j]);
  }
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N - 1; j++) gradientSum += step(a[i * N + j], a[i * N + j + 1]);
  }
  return Math.min(MAX_QUALITY, Math.trunc(gradientSum / QUALITY_DIVISOR));
}

/** Lower median of the 256 coefficients (the 128th smallest), as Torben's method returns. */
export function lowerMedian(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  return sorted[(sorted.length - 1) >> 1];
}

/**
 * Bit i*16+j (bit 0 = least significant of the big-endian 256-bit integer) is set when
 * coefficient [i][j] is strictly above the median.
 */
export function dctToHash(dct16: Float32Array, median: number = lowerMedian(dct16)): Uint8Array {
  const hash = new Uint8Array(PDQ_HASH_BYTES);
  for (let k = 0; k < D * D; k++) {
    if (dct16[k] > median) hash[PDQ_HASH_BYTES - 1 - (k >> 3)] |= 1 << (k & 7);
  }
  return hash;
}

/**
 * Each dihedral transform of the image maps DCT coefficient [i][j] (frequencies i+1, j+1) to a
 * possibly transposed position with a sign: mirroring an axis negates its even-indexed rows
 * (odd frequencies). `transpose` swaps i and j; `negate(i, j)` says when the sign flips.
 */
interface DihedralRule {
  readonly transpose: boolean;
  readonly negate: (i: number, j: number) => boolean;
}

const even = (n: number): boolean => (n & 1) === 0;

const DIHEDRAL_RULES: Readonly<Record<DihedralName, DihedralRule>> = {
  orig: { transpose: false, negate: () => false },
  rot90: { transpose: true, negate: (_i, j) => even(j) },
  rot180: { transpose: false, negate: (i, j) => ((i + j) & 1) === 1 },
  rot270: { transpose: true, negate: (i) => even(i) },
  flipx: { transpose: false, negate: (i) => even(i) },
  flipy: { transpose: false, negate: (_i, j) => even(j) },
  flipplus1: { transpose: true, negate: () => false },
  flipminus1: { transpose: true, negate: (i, j) => ((i + j) & 1) === 1 },
};

export function dihedralDct(dct16: Float32Array, name: DihedralName): Float32Array {
  const { transpose, negate } = DIHEDRAL_RULES[name];
  const out = new Float32Array(D * D);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < D; j++) {
      const v = dct16[i * D + j];
      out[transpose ? j * D + i : i * D + j] = negate(i, j) ? -v : v;
    }
  }
  return out;
}
