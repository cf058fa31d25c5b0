/**
 * The reference's float32 Jarosz filter and decimation (jarosz.ts) for RGB24 frames (vPDQ) and
 * float32 luma planes (the fullres and cpp PDQ pipelines) as a WebAssembly SIMD kernel, bit-identical to the JS loops: IEEE float32 add, sub, mul and div are
 * correctly rounded per lane, and every output value goes through the same float32 operations in
 * the same order as in the reference (only which values share a vector differs).
 *
 * luma(): float32 (0.299f R + 0.587f G) + 0.114f B of four pixels per v128 (bytes spread to i32
 * lanes by swizzles, converted exactly), row by row into a plane of `padded` floats a row.
 *
 * rows(): the box pass along rows, four rows at a time: a 4x4 transpose of each block puts the
 * four rows' values at one column in one vector (a "stripe"), the running sums then advance as
 * one vector, and the results are transposed back. rowsSampled() is the same pass whose results
 * are kept only at the 64 columns decimation reads, into a height x 64 plane.
 *
 * cols(): the box pass down columns, row by row with one running sum per column (kept in memory),
 * four columns per vector.
 *
 * Lanes past the image (padded columns and rows) carry finite values the caller never reads; a
 * row's luma loads read up to 13 bytes past its last pixel (the caller leaves them mapped).
 */
import { assembleModule, instantiate } from '../../wasm/module.js';
import { addTo, decrementAndLoop, EMPTY_BLOCK, get, I32, i32, memarg, OP, set, SIMD, V128, v128Const } from '../../wasm/ops.js';
import type { Pixels } from '../types.js';
import { boxPhases, decimationIndices, JAROSZ_PASSES, jaroszWindowSize, KEPT_COLUMNS, lastColsPassDecimated } from './jarosz.js';
import { LUMA_B, LUMA_G, LUMA_R } from './luma.js';

const DIM = 64;
const VEC = 16;

const f32x4 = (x: number): number[] => v128Const(new Uint8Array(new Float32Array([x, x, x, x]).buffer));
const load = (offset = 0): number[] => [...SIMD.load, ...memarg(0, offset)];
const store = (offset = 0): number[] => [...SIMD.store, ...memarg(0, offset)];
const ZERO = f32x4(0);

/** `body` run (the i32 on the stack) times, possibly zero, counting `counter` down. */
const times = (count: number[], counter: number, body: number[]): number[] => [
  ...count,
  ...set(counter),
  OP.block,
  EMPTY_BLOCK,
  ...get(counter),
  OP.i32Eqz,
  OP.brIf,
  0,
  OP.loop,
  EMPTY_BLOCK,
  ...body,
  ...decrementAndLoop(counter),
  OP.end,
  OP.end,
];

/** i8x16.shuffle of two locals by 32-bit lanes (0-3 from x, 4-7 from y). */
const shuffle32 = (x: number, y: number, lanes: number[]): number[] => [
  ...get(x),
  ...get(y),
  ...SIMD.shuffle,
  ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
];

/** The four vectors of locals a..d transposed as 4x4 float32 blocks; `emit(i, value)` consumes row i. */
function transpose4(a: number, b: number, c: number, d: number, t: number, emit: (i: number, value: number[]) => number[]): number[] {
  return [
    ...shuffle32(a, b, [0, 4, 1, 5]),
    ...set(t),
    ...shuffle32(c, d, [0, 4, 1, 5]),
    ...set(t + 1),
    ...shuffle32(a, b, [2, 6, 3, 7]),
    ...set(t + 2),
    ...shuffle32(c, d, [2, 6, 3, 7]),
    ...set(t + 3),
    ...emit(0, shuffle32(t, t + 1, [0, 1, 4, 5])),
    ...emit(1, shuffle32(t, t + 1, [2, 3, 6, 7])),
    ...emit(2, shuffle32(t + 2, t + 3, [0, 1, 4, 5])),
    ...emit(3, shuffle32(t + 2, t + 3, [2, 3, 6, 7])),
  ];
}

/** The swizzle mask putting channel `ch` of four packed RGB pixels in the low byte of each 32-bit lane (other bytes 0). */
const channelMask = (ch: number): number[] => Array.from({ length: 16 }, (_, i) => ((i & 3) === 0 ? 3 * (i >> 2) + ch : 0x80));

// luma(rgb, out, rows, groups, rowIn, rowOut)
const [L_RGB, L_OUT, L_ROWS, L_GROUPS, L_ROW_IN, L_ROW_OUT, L_P, L_O, L_G, L_V] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function lumaBody(): number[] {
  const channel = (ch: number, weight: number): number[] => [
    ...get(L_V),
    ...v128Const(channelMask(ch)),
    ...SIMD.swizzle,
    ...SIMD.f32x4ConvertI32x4S,
    ...f32x4(weight),
    ...SIMD.f32x4Mul,
  ];
  const group = [
    ...get(L_O),
    ...get(L_P),
    ...load(),
    ...set(L_V),
    ...channel(0, LUMA_R),
    ...channel(1, LUMA_G),
    ...SIMD.f32x4Add,
    ...channel(2, LUMA_B),
    ...SIMD.f32x4Add,
    ...store(),
    ...addTo(L_P, i32(12)),
    ...addTo(L_O, i32(VEC)),
  ];
  const row = [
    ...get(L_RGB),
    ...set(L_P),
    ...get(L_OUT),
    ...set(L_O),
    ...times(get(L_GROUPS), L_G, group),
    ...addTo(L_RGB, get(L_ROW_IN)),
    ...addTo(L_OUT, get(L_ROW_OUT)),
  ];
  return [...times(get(L_ROWS), L_ROWS, row), OP.end];
}

// rows(in, out, rowBytes, stripes, groups, lead, grow, full, tail, s1, s2, idx)
const [IN, OUT, ROWB, STRIPES, GROUPS, LEAD, GROW, FULL, TAIL, S1, S2, IDX] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const [K, N, P0, P1, P2, P3, Q, RI, LI, OI] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21];
const ROWS_I32_LOCALS = 10;
const [A, B, C, D, T, SUM, CNT, ONE] = [22, 23, 24, 25, 26, 30, 31, 32];
const ROWS_V128_LOCALS = 11;

/** P0..P3 = `base` and the three rows after it. */
const rowPointers = (base: number[]): number[] => [
  ...base,
  ...set(P0),
  ...get(P0),
  ...get(ROWB),
  OP.i32Add,
  ...set(P1),
  ...get(P1),
  ...get(ROWB),
  OP.i32Add,
  ...set(P2),
  ...get(P2),
  ...get(ROWB),
  OP.i32Add,
  ...set(P3),
];
const advanceRows = [...addTo(P0, i32(VEC)), ...addTo(P1, i32(VEC)), ...addTo(P2, i32(VEC)), ...addTo(P3, i32(VEC))];
const ROW_POINTERS = [P0, P1, P2, P3];

/** The running sum over the stripe at S1 (one vector per column) into S2, the reference's four phases. */
function stripeBox(): number[] {
  const output = [...get(OI), ...get(SUM), ...get(CNT), ...SIMD.f32x4Div, ...store(), ...addTo(OI, i32(VEC))];
  const addRight = [...get(SUM), ...get(RI), ...load(), ...SIMD.f32x4Add, ...set(SUM), ...addTo(RI, i32(VEC))];
  const subLeft = [...get(SUM), ...get(LI), ...load(), ...SIMD.f32x4Sub, ...set(SUM), ...addTo(LI, i32(VEC))];
  const countUp = [...get(CNT), ...get(ONE), ...SIMD.f32x4Add, ...set(CNT)];
  const countDown = [...get(CNT), ...get(ONE), ...SIMD.f32x4Sub, ...set(CNT)];
  return [
    ...ZERO,
    ...set(SUM),
    ...ZERO,
    ...set(CNT),
    ...get(S1),
    ...set(RI),
    ...get(S1),
    ...set(LI),
    ...get(S2),
    ...set(OI),
    ...times(get(LEAD), N, [...addRight, ...countUp]),
    ...times(get(GROW), N, [...addRight, ...countUp, ...output]),
    ...times(get(FULL), N, [...addRight, ...subLeft, ...output]),
    ...times(get(TAIL), N, [...subLeft, ...countDown, ...output]),
  ];
}

function rowsBody(sampled: boolean): number[] {
  const transposeIn = [
    ...rowPointers(get(IN)),
    ...get(S1),
    ...set(Q),
    ...times(get(GROUPS), N, [
      ...ROW_POINTERS.flatMap((p, i) => [...get(p), ...load(), ...set(A + i)]),
      ...transpose4(A, B, C, D, T, (i, value) => [...get(Q), ...value, ...store(i * VEC)]),
      ...advanceRows,
      ...addTo(Q, i32(4 * VEC)),
    ]),
  ];
  const transposeOut = [
    ...rowPointers(get(OUT)),
    ...get(S2),
    ...set(Q),
    ...times(get(GROUPS), N, [
      ...[0, 1, 2, 3].flatMap((i) => [...get(Q), ...load(i * VEC), ...set(A + i)]),
      ...transpose4(A, B, C, D, T, (i, value) => [...get(ROW_POINTERS[i]), ...value, ...store()]),
      ...advanceRows,
      ...addTo(Q, i32(4 * VEC)),
    ]),
    ...addTo(OUT, [...get(ROWB), ...i32(2), OP.i32Shl]),
  ];
  // The 64 kept columns of the stripe's four rows: lane r of S2 at idx[c] to out[(r * 64 + c) floats].
  const gather = [
    ...get(IDX),
    ...set(Q),
    ...get(OUT),
    ...set(RI),
    ...times(i32(DIM), N, [
      ...get(S2),
      ...get(Q),
      OP.i32Load,
      ...memarg(2, 0),
      OP.i32Add,
      ...load(),
      ...set(A),
      ...[0, 1, 2, 3].flatMap((r) => [...get(RI), ...get(A), ...SIMD.f32x4ExtractLane, r, OP.f32Store, ...memarg(2, r * DIM * 4)]),
      ...addTo(Q, i32(4)),
      ...addTo(RI, i32(4)),
    ]),
    ...addTo(OUT, i32(4 * DIM * 4)),
  ];
  const stripe = [
    ...transposeIn,
    ...stripeBox(),
    ...(sampled ? gather : transposeOut),
    ...addTo(IN, [...get(ROWB), ...i32(2), OP.i32Shl]),
  ];
  return [...f32x4(1), ...set(ONE), ...times(get(STRIPES), K, stripe), OP.end];
}

// cols(in, out, rowBytes, groups, lead, grow, full, tail, sums)
const [C_IN, C_OUT, C_ROWB, C_GROUPS, C_LEAD, C_GROW, C_FULL, C_TAIL, C_SUMS] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const [C_N, C_G, C_RI, C_LI, C_OI, C_X, C_R, C_L, C_O] = [9, 10, 11, 12, 13, 14, 15, 16, 17];
const COLS_I32_LOCALS = 9;
const [C_S, C_CNT, C_ONE] = [18, 19, 20];
const COLS_V128_LOCALS = 3;

function colsBody(): number[] {
  /** One row: for every group of four columns, `step` (sum on the stack from the sums at X) then stored back and maybe output. */
  const row = (step: number[], output: boolean): number[] => [
    ...get(C_SUMS),
    ...set(C_X),
    ...get(C_RI),
    ...set(C_R),
    ...get(C_LI),
    ...set(C_L),
    ...get(C_OI),
    ...set(C_O),
    ...times(get(C_GROUPS), C_G, [
      ...get(C_X),
      ...load(),
      ...step,
      ...set(C_S),
      ...get(C_X),
      ...get(C_S),
      ...store(),
      ...(output ? [...get(C_O), ...get(C_S), ...get(C_CNT), ...SIMD.f32x4Div, ...store()] : []),
      ...addTo(C_X, i32(VEC)),
      ...addTo(C_R, i32(VEC)),
      ...addTo(C_L, i32(VEC)),
      ...addTo(C_O, i32(VEC)),
    ]),
  ];
  const addRight = [...get(C_R), ...load(), ...SIMD.f32x4Add];
  const subLeft = [...get(C_L), ...load(), ...SIMD.f32x4Sub];
  const countUp = [...get(C_CNT), ...get(C_ONE), ...SIMD.f32x4Add, ...set(C_CNT)];
  const countDown = [...get(C_CNT), ...get(C_ONE), ...SIMD.f32x4Sub, ...set(C_CNT)];
  const nextIn = addTo(C_RI, get(C_ROWB));
  const nextLeft = addTo(C_LI, get(C_ROWB));
  const nextOut = addTo(C_OI, get(C_ROWB));
  return [
    ...f32x4(1),
    ...set(C_ONE),
    ...ZERO,
    ...set(C_CNT),
    ...get(C_SUMS),
    ...set(C_X),
    ...times(get(C_GROUPS), C_G, [...get(C_X), ...ZERO, ...store(), ...addTo(C_X, i32(VEC))]),
    ...get(C_IN),
    ...set(C_RI),
    ...get(C_IN),
    ...set(C_LI),
    ...get(C_OUT),
    ...set(C_OI),
    ...times(get(C_LEAD), C_N, [...row(addRight, false), ...countUp, ...nextIn]),
    ...times(get(C_GROW), C_N, [...countUp, ...row(addRight, true), ...nextIn, ...nextOut]),
    ...times(get(C_FULL), C_N, [...row([...addRight, ...subLeft], true), ...nextIn, ...nextLeft, ...nextOut]),
    ...times(get(C_TAIL), C_N, [...countDown, ...row(subLeft, true), ...nextLeft, ...nextOut]),
    OP.end,
  ];
}

export function jaroszModuleBytes(): Uint8Array {
  const i32s = (n: number): number[] => Array.from({ length: n }, () => I32);
  return assembleModule(
    [
      { name: 'luma', params: i32s(6), results: [], locals: [[3, I32], [1, V128]], code: lumaBody() },
      { name: 'rows', params: i32s(12), results: [], locals: [[ROWS_I32_LOCALS, I32], [ROWS_V128_LOCALS, V128]], code: rowsBody(false) },
      { name: 'rowsSampled', params: i32s(12), results: [], locals: [[ROWS_I32_LOCALS, I32], [ROWS_V128_LOCALS, V128]], code: rowsBody(true) },
      { name: 'cols', params: i32s(9), results: [], locals: [[COLS_I32_LOCALS, I32], [COLS_V128_LOCALS, V128]], code: colsBody() },
    ],
    { own: { minPages: 1 } },
  );
}

type Rows = (
  input: number,
  output: number,
  rowBytes: number,
  stripes: number,
  groups: number,
  lead: number,
  grow: number,
  full: number,
  tail: number,
  s1: number,
  s2: number,
  idx: number,
) => void;

export interface JaroszKernel {
  luma(rgb: number, out: number, rows: number, groups: number, rowIn: number, rowOut: number): void;
  rows: Rows;
  rowsSampled: Rows;
  cols(input: number, output: number, rowBytes: number, groups: number, lead: number, grow: number, full: number, tail: number, sums: number): void;
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
}

/** The kernel, or null where WebAssembly SIMD is unavailable. */
export function instantiateJarosz(): JaroszKernel | null {
  return instantiate<JaroszKernel>(jaroszModuleBytes());
}

const WASM_PAGE = 65536;
/** Beyond this the JS loops run rather than growing the kernel's memory (RGB frames to about 24 megapixels, luma planes to about 33). */
const SIMD_MAX_BYTES = 256 * 2 ** 20;
/** Bytes past the RGB that a row's last luma load may read (13), rounded up. */
const RGB_SLACK = 32;

/** Where a frame size's buffers sit in the kernel's memory (byte offsets, 16-aligned). */
interface Layout {
  /** Whether it has room for the RGB24 pixels (a frame) or takes a luma plane only. */
  readonly rgb: boolean;
  readonly width: number;
  readonly height: number;
  /** Floats per plane row: the width rounded up to whole vectors. */
  readonly padded: number;
  readonly rowBytes: number;
  /** Groups of four rows; the planes have 4 * stripes rows. */
  readonly stripes: number;
  readonly idxAt: number;
  readonly sumsAt: number;
  readonly s1At: number;
  readonly s2At: number;
  readonly keptAt: number;
  readonly lumaAt: number;
  readonly tempAt: number;
  readonly rgbAt: number;
  readonly end: number;
}

function layoutOf(width: number, height: number, rgb: boolean): Layout {
  const padded = Math.ceil(width / 4) * 4;
  const rowBytes = padded * 4;
  const stripes = Math.ceil(height / 4);
  const idxAt = 0;
  const sumsAt = idxAt + DIM * 4;
  const s1At = sumsAt + rowBytes;
  const s2At = s1At + padded * VEC;
  const keptAt = s2At + padded * VEC;
  const lumaAt = keptAt + stripes * 4 * DIM * 4;
  const tempAt = lumaAt + stripes * 4 * rowBytes;
  const rgbAt = tempAt + stripes * 4 * rowBytes;
  const end = rgbAt + (rgb ? Math.ceil((width * height * 3 + RGB_SLACK) / VEC) * VEC : 0);
  return { rgb, width, height, padded, rowBytes, stripes, idxAt, sumsAt, s1At, s2At, keptAt, lumaAt, tempAt, rgbAt, end };
}

/** undefined until first used, null where SIMD is unavailable. */
let kernel: JaroszKernel | null | undefined;
let current: Layout | null = null;

function kernelInstance(): JaroszKernel | null {
  if (kernel === undefined) kernel = instantiateJarosz();
  return kernel;
}

/** Whether the SIMD kernel is available (instantiating it). */
export function jaroszSimdAvailable(): boolean {
  return kernelInstance() !== null;
}

/**
 * The memory laid out for a width x height frame: grown if need be, zeroed when the layout changes
 * (so padded lanes start finite and stay so), the kept-column table written. Null when too big.
 */
function prepare(k: JaroszKernel, width: number, height: number, rgb: boolean): Layout | null {
  if (current && current.width === width && current.height === height && (current.rgb || !rgb)) return current;
  const layout = layoutOf(width, height, rgb);
  if (layout.end > SIMD_MAX_BYTES) return null;
  const have = k.memory.buffer.byteLength;
  if (have < layout.end) {
    try {
      k.memory.grow(Math.ceil((layout.end - have) / WASM_PAGE));
    } catch {
      return null;
    }
  }
  new Uint8Array(k.memory.buffer, 0, layout.end).fill(0);
  const idx = new Int32Array(k.memory.buffer, layout.idxAt, DIM);
  decimationIndices(width).forEach((x, c) => (idx[c] = x * VEC));
  current = layout;
  return layout;
}

/**
 * The reference's per-frame filter on RGB pixels (3 channels, any stride): float32 luma, the
 * Jarosz passes and decimation into the 64x64 `out64`, exactly as fillLuma('float32') then
 * jaroszDecimate. False (nothing written) where the kernel is unavailable or the frame too big.
 */
export function jaroszDecimateRgb(pixels: Pixels, out64: Float32Array): boolean {
  const { data, width, height, channels, stride } = pixels;
  if (channels !== 3) return false;
  const k = kernelInstance();
  if (!k) return false;
  const l = prepare(k, width, height, true);
  if (!l) return false;
  const rowIn = width * 3;
  const heap = new Uint8Array(k.memory.buffer);
  if (stride === rowIn) heap.set(data.subarray(0, rowIn * height), l.rgbAt);
  else for (let y = 0; y < height; y++) heap.set(data.subarray(y * stride, y * stride + rowIn), l.rgbAt + y * rowIn);
  k.luma(l.rgbAt, l.lumaAt, height, l.padded / 4, rowIn, l.rowBytes);
  filterLoaded(k, l, out64);
  return true;
}

/**
 * The same filter and decimation on a float32 luma plane (width x height, row-major), exactly as
 * jaroszDecimate. False (nothing written) where the kernel is unavailable or the plane too big.
 */
export function jaroszDecimateLuma(luma: Float32Array, width: number, height: number, out64: Float32Array): boolean {
  const k = kernelInstance();
  if (!k) return false;
  const l = prepare(k, width, height, false);
  if (!l) return false;
  const plane = new Float32Array(k.memory.buffer, l.lumaAt, height * l.padded);
  for (let y = 0; y < height; y++) plane.set(luma.subarray(y * width, (y + 1) * width), y * l.padded);
  filterLoaded(k, l, out64);
  return true;
}

/** The passes on the luma plane already in the kernel's memory, into `out64`. */
function filterLoaded(k: JaroszKernel, l: Layout, out64: Float32Array): void {
  const { width, height } = l;
  const groups = l.padded / 4;
  const alongRows = boxPhases(width, jaroszWindowSize(width));
  const windowAlongCols = jaroszWindowSize(height);
  const alongCols = boxPhases(height, windowAlongCols);
  const rows = [l.rowBytes, l.stripes, groups, alongRows.lead, alongRows.grow, alongRows.full, alongRows.tail, l.s1At, l.s2At, l.idxAt] as const;
  for (let pass = 0; pass < JAROSZ_PASSES - 1; pass++) {
    k.rows(l.lumaAt, l.tempAt, ...rows);
    k.cols(l.tempAt, l.lumaAt, l.rowBytes, groups, alongCols.lead, alongCols.grow, alongCols.full, alongCols.tail, l.sumsAt);
  }
  k.rowsSampled(l.lumaAt, l.keptAt, ...rows);
  const kept = new Float32Array(k.memory.buffer, l.keptAt, height * DIM);
  lastColsPassDecimated(kept, DIM, height, windowAlongCols, out64, KEPT_COLUMNS);
}
