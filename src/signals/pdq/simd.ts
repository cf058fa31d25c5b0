/**
 * The `fast` filter (separable.ts) as a WebAssembly SIMD kernel, assembled here as bytes (no
 * toolchain): rows then cols, both float64. One module per pixel size (RGB or RGBA, BytesPerPixel);
 * they differ only in how luma splits a load into channels.
 *
 * rows(pix, rowBytes, pairs, taps, out): for each pair of image rows and each of the 64 kept
 * columns, four pixels per v128 load (four RGBA words, or the first 12 of 16 bytes of RGB),
 * channels by shift and mask (RGBA) or by swizzle (RGB), integer luma (the caller's fixed-point
 * weights, exact in i32, formed by i16 dot products: see luma), converted to f64 two lanes at a
 * time and multiplied by the tap weights (loaded once for both rows of the pair), which come padded
 * with zeros to a multiple of four. Accumulation is float64, as in the JS loop; only the order of
 * the additions differs (four partial sums per sample). The RGB and RGBA kernels form the same
 * integers and add them in the same order: their outputs are identical, bit for bit.
 *
 * taps: per kept column s, at taps + 12 s: i32 byte offset of its first pixel in a row (starts[s]
 * times bytes per pixel), i32 count of four-pixel groups, i32 address of its weights (4 f64 per
 * group). out: f64 per (row, column), two rows of 64 per pair. A group's load reads 16 bytes at its
 * first pixel, so loads run up to 16 - bytesPerPixel bytes past the end of a row's last tap (12
 * for RGBA, 13 for RGB) and the second row of the last pair may be the row after the image: the
 * caller leaves that memory mapped. Whatever bytes are there, a lane past the last tap is the
 * i32 luma of bytes, converted exactly to a finite f64 (no bits are ever read as a float), times
 * its zero weight: it adds exactly +0, never NaN.
 *
 * cols(mid, taps, out64): the column pass (colsBody), in the same order of additions as the JS loop.
 */

import { assembleModule, instantiate, type WasmFunction } from '../../wasm/module.js';
import {
  addTo,
  decrementAndLoop,
  EMPTY_BLOCK,
  get,
  I32,
  i32,
  memarg,
  OP,
  set,
  SIMD,
  V128,
  v128Const,
  zero,
} from '../../wasm/ops.js';

const KEPT = 64;
const OUT_ROW_BYTES = KEPT * 8;
export const TAP_DESC_BYTES = 12;
export const WORDS_PER_GROUP = 4;

const [PIX, ROW_BYTES, PAIRS, TAPS, OUT] = [0, 1, 2, 3, 4];
const [S, P, N, W, D] = [5, 6, 7, 8, 9];
const [MASK, HI_RB, HI_G, LO_RB, ACC0, ACC1, ACC2, ACC3, RB, LUMA0, LUMA1, WLOW, WHIGH, LO_G, GA] = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24];
const [SWIZZLE_RB, SWIZZLE_G] = [25, 26];
const ROWS_V128_LOCALS = 17;
const LOW_BITS = 15;

/** A tap descriptor at local `d` into locals: `p` = pix + first pixel's byte offset, `n` = group count, `w` = weights' address. */
export const readTapDesc = (pix: number, d: number, p: number, n: number, w: number): number[] => [
  ...get(pix),
  ...get(d),
  OP.i32Load,
  ...memarg(2, 0),
  OP.i32Add,
  ...set(p),
  ...get(d),
  OP.i32Load,
  ...memarg(2, 4),
  ...set(n),
  ...get(d),
  OP.i32Load,
  ...memarg(2, 8),
  ...set(w),
];

/** The locals a rows kernel walks row pairs with (rowPairs). */
export interface RowPairLocals {
  readonly pix: number;
  readonly rowBytes: number;
  readonly pairs: number;
  readonly taps: number;
  readonly out: number;
  readonly s: number;
  readonly d: number;
}

/**
 * The rows kernels' outer loops: for each of `pairs` row pairs, `sample` once per kept column
 * (d walking the tap descriptors), then out and pix advance by two rows.
 */
export function rowPairs(sample: number[], l: RowPairLocals): number[] {
  return [
    OP.block,
    EMPTY_BLOCK,
    ...get(l.pairs),
    OP.i32Eqz,
    OP.brIf,
    0,
    OP.loop,
    EMPTY_BLOCK,
    ...get(l.taps),
    ...set(l.d),
    ...i32(KEPT),
    ...set(l.s),
    OP.loop,
    EMPTY_BLOCK,
    ...sample,
    ...decrementAndLoop(l.s),
    OP.end,
    ...addTo(l.out, i32(OUT_ROW_BYTES)),
    ...addTo(l.pix, [...get(l.rowBytes), ...get(l.rowBytes), OP.i32Add]),
    ...decrementAndLoop(l.pairs),
    OP.end,
    OP.end,
  ];
}

/** 3 (RGB) or 4 (RGBA): the rows kernel is assembled for one. */
export type BytesPerPixel = 3 | 4;

/**
 * i8x16.swizzle masks spreading four packed RGB pixels (bytes 0..11 of a load) into 32-bit lanes
 * [R, 0, B, 0] and [G, 0, 0, 0]. An index past 15 gives 0; with its top bit set, V8's x64 back
 * end emits a constant mask as a bare pshufb (no saturating add to push indices out of range).
 */
const OUT_OF_RANGE = 0x80;
const rgbSwizzle = (channels: (number | null)[]): number[] =>
  Array.from({ length: 16 }, (_, i) => {
    const c = channels[i & 3];
    return c === null ? OUT_OF_RANGE : 3 * (i >> 2) + c;
  });
const SWIZZLE_RB_BYTES = rgbSwizzle([0, null, 2, null]);
const SWIZZLE_G_BYTES = rgbSwizzle([1, null, null, null]);

const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/**
 * Luma of the four pixels at the address on the stack, into `into`: R and B as the two i16 halves
 * of each 32-bit lane, G likewise (the high half is A for RGBA, 0 for RGB), each weight split into
 * its low 15 bits and the rest, so pmaddwd (i32x4.dot_i16x8_s) forms the exact integer sums; the
 * high half of the G weights is 0, so A never counts. RGBA: one load of four words, split by shift
 * and mask. RGB: one load of 16 bytes at the first pixel, of which the four pixels' 12 are spread
 * into the same halves by two constant swizzles (SWIZZLE_RB, SWIZZLE_G), so both give the same
 * integers in the same lanes.
 */
function luma(into: number, bytesPerPixel: BytesPerPixel): number[] {
  const dot = (halves: number, weights: number): number[] => [...get(halves), ...get(weights), ...SIMD.i32x4DotI16x8S];
  const split =
    bytesPerPixel === 4
      ? [OP.localTee, RB, ...i32(8), ...SIMD.i32x4ShrU, ...get(MASK), ...SIMD.and, ...set(GA), ...get(RB), ...get(MASK), ...SIMD.and, ...set(RB)]
      : [OP.localTee, RB, ...get(SWIZZLE_G), ...SIMD.swizzle, ...set(GA), ...get(RB), ...get(SWIZZLE_RB), ...SIMD.swizzle, ...set(RB)];
  return [
    ...SIMD.load,
    ...memarg(0, 0),
    ...split,
    ...dot(RB, HI_RB),
    ...dot(GA, HI_G),
    ...SIMD.i32x4Add,
    ...i32(LOW_BITS),
    ...SIMD.i32x4Shl,
    ...dot(RB, LO_RB),
    ...SIMD.i32x4Add,
    ...dot(GA, LO_G),
    ...SIMD.i32x4Add,
    ...set(into),
  ];
}

/** acc += convert(lanes of l) * weights (a local: both rows of a pair share each weight load). */
function accumulate(acc: number, l: number, high: boolean, weights: number): number[] {
  return [
    ...get(acc),
    ...get(l),
    ...(high ? [...get(l), ...SIMD.shuffle, ...HIGH_TO_LOW] : []),
    ...SIMD.f64x2ConvertLowI32x4S,
    ...get(weights),
    ...SIMD.f64x2Mul,
    ...SIMD.f64x2Add,
    ...set(acc),
  ];
}

/** f64 at out + offset = the four lanes of a and b summed. */
function storeSum(a: number, b: number, offset: number): number[] {
  const lane = (i: number): number[] => [...get(a), ...get(b), ...SIMD.f64x2Add, ...SIMD.f64x2ExtractLane, i];
  return [...get(OUT), ...lane(0), ...lane(1), OP.f64Add, OP.f64Store, ...memarg(3, offset)];
}

const splat = (l: number, n: number): number[] => [...i32(n), ...SIMD.i32x4Splat, ...set(l)];

function rowsBody(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): number[] {
  const groups = [
    ...luma(LUMA0, bytesPerPixel),
    ...get(P),
    ...get(ROW_BYTES),
    OP.i32Add,
    ...luma(LUMA1, bytesPerPixel),
    ...get(W),
    ...SIMD.load,
    ...memarg(0, 0),
    ...set(WLOW),
    ...get(W),
    ...SIMD.load,
    ...memarg(0, 16),
    ...set(WHIGH),
    ...accumulate(ACC0, LUMA0, false, WLOW),
    ...accumulate(ACC1, LUMA0, true, WHIGH),
    ...accumulate(ACC2, LUMA1, false, WLOW),
    ...accumulate(ACC3, LUMA1, true, WHIGH),
    ...addTo(P, i32(WORDS_PER_GROUP * bytesPerPixel)),
    ...addTo(W, i32(32)),
  ];
  const sample = [
    ...readTapDesc(PIX, D, P, N, W),
    ...zero(ACC0),
    ...zero(ACC1),
    ...zero(ACC2),
    ...zero(ACC3),
    OP.loop,
    EMPTY_BLOCK,
    ...get(P),
    ...groups,
    ...decrementAndLoop(N),
    OP.end,
    ...storeSum(ACC0, ACC1, 0),
    ...storeSum(ACC2, ACC3, OUT_ROW_BYTES),
    ...addTo(OUT, i32(8)),
    ...addTo(D, i32(TAP_DESC_BYTES)),
  ];
  const split =
    bytesPerPixel === 4
      ? splat(MASK, 0x00ff00ff)
      : [...v128Const(SWIZZLE_RB_BYTES), ...set(SWIZZLE_RB), ...v128Const(SWIZZLE_G_BYTES), ...set(SWIZZLE_G)];
  return [
    ...split,
    ...splat(HI_RB, (r >> LOW_BITS) | ((b >> LOW_BITS) << 16)),
    ...splat(HI_G, g >> LOW_BITS),
    ...splat(LO_RB, (r & 0x7fff) | ((b & 0x7fff) << 16)),
    ...splat(LO_G, g & 0x7fff),
    ...rowPairs(sample, { pix: PIX, rowBytes: ROW_BYTES, pairs: PAIRS, taps: TAPS, out: OUT, s: S, d: D }),
    OP.end,
  ];
}

const [MID, COL_TAPS, OUT64] = [0, 1, 2];
const [R, CP, CN, CW, CD, WEIGHT] = [3, 4, 5, 6, 7, 8];
const ACC_LANES = KEPT / 2;
const acc = (j: number): number => WEIGHT + 1 + j;

/**
 * cols(mid, taps, out): the 64 kept rows of `mid` (height x 64 f64), each a weighted sum of mid
 * rows, into `out` (64 x 64 f64); the 64 columns are held in 32 f64x2 locals. taps: per kept row,
 * i32 byte offset of its first mid row, i32 tap count, i32 address of its f64 weights.
 */
function colsBody(): number[] {
  const lanes = (f: (j: number) => number[]): number[] => Array.from({ length: ACC_LANES }, (_, j) => f(j)).flat();
  const tap = [
    ...get(CW),
    OP.f64Load,
    ...memarg(3, 0),
    ...SIMD.f64x2Splat,
    ...set(WEIGHT),
    ...lanes((j) => [...get(acc(j)), ...get(CP), ...SIMD.load, ...memarg(0, 16 * j), ...get(WEIGHT), ...SIMD.f64x2Mul, ...SIMD.f64x2Add, ...set(acc(j))]),
    ...addTo(CP, i32(OUT_ROW_BYTES)),
    ...addTo(CW, i32(8)),
  ];
  const row = [
    ...get(MID),
    ...get(CD),
    OP.i32Load,
    ...memarg(2, 0),
    OP.i32Add,
    ...set(CP),
    ...get(CD),
    OP.i32Load,
    ...memarg(2, 4),
    ...set(CN),
    ...get(CD),
    OP.i32Load,
    ...memarg(2, 8),
    ...set(CW),
    ...lanes((j) => zero(acc(j))),
    OP.loop,
    EMPTY_BLOCK,
    ...tap,
    ...decrementAndLoop(CN),
    OP.end,
    ...lanes((j) => [...get(OUT64), ...get(acc(j)), ...SIMD.store, ...memarg(0, 16 * j)]),
    ...addTo(OUT64, i32(OUT_ROW_BYTES)),
    ...addTo(CD, i32(TAP_DESC_BYTES)),
  ];
  return [...get(COL_TAPS), ...set(CD), ...i32(KEPT), ...set(R), OP.loop, EMPTY_BLOCK, ...row, ...decrementAndLoop(R), OP.end, OP.end];
}

/** The column pass as a module function (shared with the integer row kernel's module, simd-int.ts). */
export function colsFunction(): WasmFunction {
  return { name: 'cols', params: [I32, I32, I32], results: [], locals: [[5, I32], [1 + ACC_LANES, V128]], code: colsBody() };
}

/**
 * The module for the given fixed-point luma weights (each below 2^30: its high part must fit an
 * i16; their sum times 255 must fit an i32) and pixels of `bytesPerPixel` bytes.
 */
export function filterModuleBytes(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): Uint8Array {
  const five = [I32, I32, I32, I32, I32];
  return assembleModule(
    [
      { name: 'rows', params: five, results: [], locals: [[5, I32], [ROWS_V128_LOCALS, V128]], code: rowsBody(r, g, b, bytesPerPixel) },
      colsFunction(),
    ],
    { own: { minPages: 1 } },
  );
}

export interface FilterKernel {
  rows(pix: number, rowBytes: number, pairs: number, taps: number, out: number): void;
  cols(mid: number, taps: number, out64: number): void;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/** Instantiates the kernel, or null where WebAssembly SIMD is unavailable. */
export function instantiateFilter(r: number, g: number, b: number, bytesPerPixel: BytesPerPixel): FilterKernel | null {
  return instantiate<FilterKernel>(filterModuleBytes(r, g, b, bytesPerPixel));
}
