/**
 * The `fast` filter's row pass (separable.ts) as a WebAssembly SIMD kernel in integers, assembled
 * here as bytes (no toolchain). The two box passes along a row weigh each input by an integer
 * count over a per-sample denominator (separable.ts integerTaps), and luma is linear, so each
 * kept column of a row is formed as three exact integer sums, one per channel (count times
 * byte, eight pixels per i32x4.dot_i16x8_s), and only then combined with the fixed-point luma
 * weights, in float64, where every product and sum is an integer below 2^53: the row pass is
 * exact. The column pass is simd.ts's (float64), and the caller divides by the denominators.
 *
 * rows(pix, rowBytes, pairs, taps, out): for each pair of image rows and each of the 64 kept
 * columns, eight pixels a step: two v128 loads (RGB: 16 bytes at the first pixel and 16 at the
 * third byte of the third; RGBA: 32 bytes), two shuffles gathering R, G (one vector) and B
 * (another), zero-extended to i16, each times the step's eight i16 counts (loaded once for both
 * rows and all three channels) into an i32x4 accumulator per channel and row. At the end of a
 * column the accumulators are summed to R, G and B and the f64 FR*R + FG*G + FB*B is stored.
 * taps: per kept column, at taps + 12 s: i32 byte offset of its first pixel in a row, i32 count
 * of eight-pixel steps, i32 address of its counts (8 i16 per step, zero past the last tap).
 * A step reads exactly its eight pixels' bytes, so loads end at most 7 pixels past a column's
 * last tap; bytes there are multiplied by a zero count (an integer: they add exactly 0). The
 * second row of the last pair may be the row after the image: the caller leaves it mapped.
 * out: f64 per (row, column), two rows of 64 per pair, as simd.ts's rows writes them.
 */
import { assembleModule, instantiate } from '../../wasm/module.js';
import { addTo, decrementAndLoop, EMPTY_BLOCK, get, I32, i32, memarg, OP, set, SIMD, tee, V128, v128Const, zero } from '../../wasm/ops.js';
import { colsFunction, readTapDesc, rowPairs, type BytesPerPixel, type FilterKernel, TAP_DESC_BYTES } from './simd.js';

const KEPT = 64;
const OUT_ROW_BYTES = KEPT * 8;
/** Pixels per step of the rows loop (one i16x8 vector per channel). */
export const PIXELS_PER_STEP = 8;
/** Bytes of counts per step: [c0..c3, c0..c3], [c4..c7, c4..c7] and [c0..c7], i16. */
export const STEP_COUNT_BYTES = 48;

const [PIX, ROW_BYTES, PAIRS, TAPS, OUT] = [0, 1, 2, 3, 4];
const [S, P, N, W, D, Q] = [5, 6, 7, 8, 9, 10];
const I32_LOCALS = 6;
const [A, C, W_LOW, W_HIGH, W_ALL, RG0, B0, RG1, B1, T, LUMA_RG, LUMA_B, SWIZZLE_RG, SWIZZLE_B_LOW, SWIZZLE_B_HIGH] = [
  11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
];
const V128_LOCALS = 15;

/**
 * i8x16.swizzle masks spreading the four pixels of one load into i16 lanes (the high byte 0):
 * [R0..R3, G0..G3], [B0..B3, 0 x 4] and [0 x 4, B0..B3]. An index with its top bit set gives 0,
 * and V8's x64 back end then emits a constant mask as a bare pshufb.
 */
const OUT_OF_RANGE = 0x80;
function swizzle(bytesPerPixel: BytesPerPixel, lanes: (number | null)[]): number[] {
  return lanes.flatMap((c, i) => (c === null ? [OUT_OF_RANGE, OUT_OF_RANGE] : [(i & 3) * bytesPerPixel + c, OUT_OF_RANGE]));
}
const none = [null, null, null, null];

/** i32 lanes of two vectors (0..3 the first, 4..7 the second) as i8x16.shuffle byte indices. */
const lanes32 = (l: number[]): number[] => l.flatMap((i) => [4 * i, 4 * i + 1, 4 * i + 2, 4 * i + 3]);

const dot = (weights: number): number[] => [...get(weights), ...SIMD.i32x4DotI16x8S];
const swizzled = (v: number, mask: number): number[] => [...get(v), ...get(mask), ...SIMD.swizzle];

/**
 * One row's step at the address in local `at` (pixels 0..3 in load A, 4..7 in load C):
 * rg += [R0c0+R1c1, R2c2+R3c3, G0c0+G1c1, G2c2+G3c3] + the same of pixels 4..7, b += B0..B7 times c0..c7.
 */
function step(at: number, rg: number, b: number, bytesPerPixel: BytesPerPixel): number[] {
  return [
    ...get(at),
    ...SIMD.load,
    ...memarg(0, 0),
    ...set(A),
    ...get(at),
    ...SIMD.load,
    ...memarg(0, 4 * bytesPerPixel),
    ...set(C),
    ...get(rg),
    ...swizzled(A, SWIZZLE_RG),
    ...dot(W_LOW),
    ...SIMD.i32x4Add,
    ...swizzled(C, SWIZZLE_RG),
    ...dot(W_HIGH),
    ...SIMD.i32x4Add,
    ...set(rg),
    ...get(b),
    ...swizzled(A, SWIZZLE_B_LOW),
    ...swizzled(C, SWIZZLE_B_HIGH),
    ...SIMD.or,
    ...dot(W_ALL),
    ...SIMD.i32x4Add,
    ...set(b),
  ];
}

/** FR*R + FG*G + FB*B (f64) of the accumulators rg and b, left on the stack. */
function lumaOf(rg: number, b: number): number[] {
  return [
    // [R, G, B0+B2, B1+B3]
    ...get(rg),
    ...get(b),
    ...SIMD.shuffle,
    ...lanes32([0, 2, 4, 5]),
    ...get(rg),
    ...get(b),
    ...SIMD.shuffle,
    ...lanes32([1, 3, 6, 7]),
    ...SIMD.i32x4Add,
    ...tee(T),
    ...SIMD.f64x2ConvertLowI32x4S,
    ...get(LUMA_RG),
    ...SIMD.f64x2Mul,
    ...get(T),
    ...get(T),
    ...SIMD.shuffle,
    ...lanes32([2, 3, 2, 3]),
    ...SIMD.f64x2ConvertLowI32x4S,
    ...get(LUMA_B),
    ...SIMD.f64x2Mul,
    ...SIMD.f64x2Add,
    ...tee(T),
    ...SIMD.f64x2ExtractLane,
    0,
    ...get(T),
    ...SIMD.f64x2ExtractLane,
    1,
    OP.f64Add,
  ];
}

const f64Pair = (a: number, b: number): number[] => v128Const(new Uint8Array(Float64Array.of(a, b).buffer));

function rowsBody(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): number[] {
  const sample = [
    ...readTapDesc(PIX, D, P, N, W),
    ...[RG0, B0, RG1, B1].flatMap(zero),
    OP.loop,
    EMPTY_BLOCK,
    ...[W_LOW, W_HIGH, W_ALL].flatMap((l, i) => [...get(W), ...SIMD.load, ...memarg(0, 16 * i), ...set(l)]),
    ...step(P, RG0, B0, bytesPerPixel),
    ...get(P),
    ...get(ROW_BYTES),
    OP.i32Add,
    ...set(Q),
    ...step(Q, RG1, B1, bytesPerPixel),
    ...addTo(P, i32(PIXELS_PER_STEP * bytesPerPixel)),
    ...addTo(W, i32(STEP_COUNT_BYTES)),
    ...decrementAndLoop(N),
    OP.end,
    ...get(OUT),
    ...lumaOf(RG0, B0),
    OP.f64Store,
    ...memarg(3, 0),
    ...get(OUT),
    ...lumaOf(RG1, B1),
    OP.f64Store,
    ...memarg(3, OUT_ROW_BYTES),
    ...addTo(OUT, i32(8)),
    ...addTo(D, i32(TAP_DESC_BYTES)),
  ];
  return [
    ...v128Const(swizzle(bytesPerPixel, [0, 0, 0, 0, 1, 1, 1, 1])),
    ...set(SWIZZLE_RG),
    ...v128Const(swizzle(bytesPerPixel, [2, 2, 2, 2, ...none])),
    ...set(SWIZZLE_B_LOW),
    ...v128Const(swizzle(bytesPerPixel, [...none, 2, 2, 2, 2])),
    ...set(SWIZZLE_B_HIGH),
    ...f64Pair(r, g),
    ...set(LUMA_RG),
    ...f64Pair(b, b),
    ...set(LUMA_B),
    ...rowPairs(sample, { pix: PIX, rowBytes: ROW_BYTES, pairs: PAIRS, taps: TAPS, out: OUT, s: S, d: D }),
    OP.end,
  ];
}

/**
 * The module for the given fixed-point luma weights (integers; with the row sums, each product
 * must stay below 2^51 for the sum to be exact) and pixels of `bytesPerPixel` bytes.
 */
export function integerFilterModuleBytes(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): Uint8Array {
  const five = [I32, I32, I32, I32, I32];
  return assembleModule(
    [
      { name: 'rows', params: five, results: [], locals: [[I32_LOCALS, I32], [V128_LOCALS, V128]], code: rowsBody(r, g, b, bytesPerPixel) },
      colsFunction(),
    ],
    { own: { minPages: 1 } },
  );
}

/** Instantiates the kernel, or null where WebAssembly SIMD is unavailable. */
export function instantiateIntegerFilter(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): FilterKernel | null {
  return instantiate<FilterKernel>(integerFilterModuleBytes(r, g, b, bytesPerPixel));
}
