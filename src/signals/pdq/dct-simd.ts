/**
 * The PDQ back end's two hot loops (dct.ts: the 16x64 by 64x64 by 64x16 DCT and the gradient
 * quality) as a WebAssembly SIMD kernel, bit-identical to the float32 JS loops. In JS each
 * float32 multiply-add costs a rounding and a bounds check (about 82k of them per hash); here
 * four output elements advance per instruction.
 *
 * Identity, not approximation: IEEE float32 add, mul and div are correctly rounded per lane, and
 * the JS loops' `fround(x op y)` of float32 operands is the same correctly rounded float32 result
 * (a double holds a product exactly, and a double sum or quotient rounded again to float32 is
 * the float32 one). Vectorising across output columns j while k stays the sequential inner
 * index keeps every output's sums in the reference order, starting from +0.
 *
 * Memory (one page, fixed layout): the DCT matrix M (16x64 f32) and its transpose, the input
 * buffer A (64x64 f32), the first product T = M A (16x64) and the output M A M^T (16x16).
 * Quality's horizontal differences read one float past A (masked off): T's first, still mapped.
 *
 * dct(): T then OUT. T's rows go in halves of 32 columns (8 f32x4 accumulators: a whole row's 16
 * would not fit x64's 16 vector registers); OUT row i is 4 accumulators over k of T[i][k] * MT[k][*].
 *
 * quality(): the gradient sum of A as an i32: every term fround(fround(fround(u - v) * 100) / 255)
 * truncated and made absolute, as pdqQuality computes it, but clamped at `saturation` (the caller's
 * QUALITY_DIVISOR * MAX_QUALITY), where the quality is already 100 whatever the other terms (they are non-negative), so the sum stays an
 * exact i32 and equals the JS one whenever that is under the clamp. Assumes A is finite (the
 * filter's output always is): an infinity minus itself is NaN, which JS would carry into the result.
 */
import { assembleModule, instantiate } from '../../wasm/module.js';
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
  i32x4LaneSum,
} from '../../wasm/ops.js';

const N = 64;
const D = 16;
const F32 = 4;
export const DCT_M_AT = 0;
export const DCT_MT_AT = DCT_M_AT + D * N * F32;
export const DCT_A_AT = DCT_MT_AT + N * D * F32;
export const DCT_T_AT = DCT_A_AT + N * N * F32;
export const DCT_OUT_AT = DCT_T_AT + D * N * F32;
const ROW_BYTES = N * F32;
const HALF_ROW_BYTES = ROW_BYTES / 2;
const OUT_ROW_BYTES = D * F32;
const HALF_ACCS = N / 2 / 4;
const OUT_ACCS = D / 4;

const f32x4 = (x: number): number[] => v128Const(new Uint8Array(new Float32Array([x, x, x, x]).buffer));
const load = (offset: number): number[] => [...SIMD.load, ...memarg(0, offset)];
const store = (offset: number): number[] => [...SIMD.store, ...memarg(0, offset)];

/** `body` run `times` (> 0) times, counting `counter` down to zero. */
const loop = (counter: number, times: number, body: number[]): number[] => [
  ...i32(times),
  ...set(counter),
  OP.loop,
  EMPTY_BLOCK,
  ...body,
  ...decrementAndLoop(counter),
  OP.end,
];

// dct() locals: i32 counters and pointers, then the splatted factor and the accumulators.
const [ROWS, HALVES, K, MROW, MP, AP, TP, AH, OUTP] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
const DCT_I32_LOCALS = 9;
const W = 9;
const acc = (q: number): number => W + 1 + q;

/** acc_q += splat(W) * f32x4 at `pointer` + 16 q, for q < count. */
function multiplyAdd(count: number, pointer: number): number[] {
  return Array.from({ length: count }, (_, q) => [
    ...get(acc(q)),
    ...get(W),
    ...get(pointer),
    ...load(16 * q),
    ...SIMD.f32x4Mul,
    ...SIMD.f32x4Add,
    ...set(acc(q)),
  ]).flat();
}

const zeros = (count: number): number[] => Array.from({ length: count }, (_, q) => zero(acc(q))).flat();
const stores = (count: number, pointer: number): number[] =>
  Array.from({ length: count }, (_, q) => [...get(pointer), ...get(acc(q)), ...store(16 * q)]).flat();
const splatFrom = (pointer: number): number[] => [...get(pointer), ...SIMD.load32Splat, ...memarg(2, 0), ...set(W)];

function dctBody(): number[] {
  // T[i][32h ..] = sum over k of M[i][k] * A[k][32h ..]: MROW is M's row i, AH column 32h of A's row 0.
  const half = [
    ...zeros(HALF_ACCS),
    ...get(MROW),
    ...set(MP),
    ...get(AH),
    ...set(AP),
    ...loop(K, N, [...splatFrom(MP), ...multiplyAdd(HALF_ACCS, AP), ...addTo(MP, i32(F32)), ...addTo(AP, i32(ROW_BYTES))]),
    ...stores(HALF_ACCS, TP),
    ...addTo(TP, i32(HALF_ROW_BYTES)),
    ...addTo(AH, i32(HALF_ROW_BYTES)),
  ];
  const firstPass = [
    ...i32(DCT_M_AT),
    ...set(MROW),
    ...i32(DCT_T_AT),
    ...set(TP),
    ...loop(ROWS, D, [...i32(DCT_A_AT), ...set(AH), ...loop(HALVES, 2, half), ...addTo(MROW, i32(ROW_BYTES))]),
  ];
  // OUT[i][*] = sum over k of T[i][k] * MT[k][*]: TP walks T row by row, MP walks MT.
  const secondPass = [
    ...i32(DCT_T_AT),
    ...set(TP),
    ...i32(DCT_OUT_AT),
    ...set(OUTP),
    ...loop(ROWS, D, [
      ...zeros(OUT_ACCS),
      ...i32(DCT_MT_AT),
      ...set(MP),
      ...loop(K, N, [...splatFrom(TP), ...multiplyAdd(OUT_ACCS, MP), ...addTo(TP, i32(F32)), ...addTo(MP, i32(OUT_ROW_BYTES))]),
      ...stores(OUT_ACCS, OUTP),
      ...addTo(OUTP, i32(OUT_ROW_BYTES)),
    ]),
  ];
  return [...firstPass, ...secondPass, OP.end];
}

// quality() locals
const [QP, COUNT, QROWS, SUM] = [0, 1, 2, 3];
const QUALITY_I32_LOCALS = 3;
/** Lanes 0..2 kept: a row's last vector of horizontal differences has one that crosses into the next row. */
const FIRST_THREE = new Uint8Array(new Int32Array([-1, -1, -1, 0]).buffer);

/** SUM += min(|trunc(fround(fround(u - v) * 100) / 255)|, saturation) for u, v at QP and QP + vOffset. */
function addTerms(vOffset: number, mask: boolean, saturation: number): number[] {
  return [
    ...get(SUM),
    ...get(QP),
    ...load(0),
    ...get(QP),
    ...load(vOffset),
    ...SIMD.f32x4Sub,
    ...f32x4(100),
    ...SIMD.f32x4Mul,
    ...f32x4(255),
    ...SIMD.f32x4Div,
    ...SIMD.f32x4Abs,
    ...f32x4(saturation),
    ...SIMD.f32x4Min,
    ...SIMD.i32x4TruncSatF32x4S,
    ...(mask ? [...v128Const(FIRST_THREE), ...SIMD.and] : []),
    ...SIMD.i32x4Add,
    ...set(SUM),
    ...addTo(QP, i32(16)),
  ];
}

function qualityBody(saturation: number): number[] {
  return [
    ...zero(SUM),
    ...i32(DCT_A_AT),
    ...set(QP),
    ...loop(COUNT, ((N - 1) * N) / 4, addTerms(ROW_BYTES, false, saturation)),
    ...i32(DCT_A_AT),
    ...set(QP),
    ...loop(QROWS, N, [...loop(COUNT, N / 4 - 1, addTerms(F32, false, saturation)), ...addTerms(F32, true, saturation)]),
    ...i32x4LaneSum(SUM),
    OP.end,
  ];
}

export function dctModuleBytes(saturation: number): Uint8Array {
  return assembleModule(
    [
      { name: 'dct', params: [], results: [], locals: [[DCT_I32_LOCALS, I32], [1 + HALF_ACCS, V128]], code: dctBody() },
      { name: 'quality', params: [], results: [I32], locals: [[QUALITY_I32_LOCALS, I32], [1, V128]], code: qualityBody(saturation) },
    ],
    { own: { minPages: 1 } },
  );
}

export interface DctKernel {
  dct(): void;
  quality(): number;
  memory: { buffer: ArrayBuffer };
}

/**
 * The kernel with the matrix and its transpose loaded, or null where WebAssembly SIMD is
 * unavailable. `matrix` is D x N float32, row-major; `saturation` is where quality terms are
 * clamped (an integer: any sum reaching it gives the maximum quality).
 */
export function instantiateDct(matrix: Float32Array, saturation: number): DctKernel | null {
  const kernel = instantiate<DctKernel>(dctModuleBytes(saturation));
  if (!kernel) return null;
  const m = new Float32Array(kernel.memory.buffer, DCT_M_AT, D * N);
  const mt = new Float32Array(kernel.memory.buffer, DCT_MT_AT, N * D);
  m.set(matrix);
  for (let i = 0; i < D; i++) for (let k = 0; k < N; k++) mt[k * D + i] = matrix[i * N + k];
  return kernel;
}
