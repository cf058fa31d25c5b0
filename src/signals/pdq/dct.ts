/**
 * The PDQ back end: 64x64 float32 buffer -> quality metric, 16x16 DCT, median threshold, bits,
 * and the 8 dihedral variants derived from the same DCT. float32 arithmetic, reference order.
 */
import type { DihedralName } from '../types.js';
import { DCT_A_AT, DCT_OUT_AT, type DctKernel, instantiateDct } from './dct-simd.js';

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

/**
 * The DCT and quality kernel (dct-simd.ts, bit-identical to the JS loops below and much faster)
 * and views of its input and output, made on first use, once per thread; null where
 * WebAssembly SIMD is unavailable. Its memory never grows, so the views stay attached.
 */
let kernel: { run: DctKernel; input: Float32Array; output: Float32Array } | null | undefined;

function dctKernel(): typeof kernel {
  if (kernel === undefined) {
    const run = instantiateDct(DCT_MATRIX, QUALITY_DIVISOR * MAX_QUALITY);
    kernel = run && {
      run,
      input: new Float32Array(run.memory.buffer, DCT_A_AT, N * N),
      output: new Float32Array(run.memory.buffer, DCT_OUT_AT, D * D),
    };
  }
  return kernel;
}

/** Whether dct64To16 and pdqQuality run in the SIMD kernel here (tests assert it, so they compare something). */
export function dctSimdAvailable(): boolean {
  return dctKernel() !== null;
}

/** B = D A D^T of the 64x64 `a`: the SIMD kernel where available, else dct64To16Js (same bits). */
export function dct64To16(a: Float32Array, out16: Float32Array = new Float32Array(D * D)): Float32Array {
  const k = dctKernel();
  if (!k || a.length !== N * N) return dct64To16Js(a, out16);
  k.input.set(a);
  k.run.dct();
  out16.set(k.output);
  return out16;
}

/** B = D A D^T with float32 products and running sums, k innermost as in the reference. */
export function dct64To16Js(a: Float32Array, out16: Float32Array = new Float32Array(D * D)): Float32Array {
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

/**
 * Image-domain quality: summed truncated gradients of the 64x64 buffer, 0..100. The SIMD kernel
 * clamps each term at QUALITY_DIVISOR * MAX_QUALITY (which alone makes it 100), so it gives the same
 * result as pdqQualityJs for any finite buffer; the filters' buffers always are.
 */
export function pdqQuality(a: Float32Array): number {
  const k = dctKernel();
  if (!k || a.length !== N * N) return pdqQualityJs(a);
  k.input.set(a);
  return Math.min(MAX_QUALITY, Math.trunc(k.run.quality() / QUALITY_DIVISOR));
}

/** pdqQuality in JS: float32 steps as in the reference, summed exactly (as a double). */
export function pdqQualityJs(a: Float32Array): number {
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
  const sorted = values.length === D * D ? medianScratch : new Float32Array(values.length);
  sorted.set(values);
  sorted.sort();
  return sorted[(sorted.length - 1) >> 1];
}

/** lowerMedian's sorting space for the usual 256 values (Float32Array.from goes through the iterator protocol: ~4x slower). */
const medianScratch = new Float32Array(D * D);

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
