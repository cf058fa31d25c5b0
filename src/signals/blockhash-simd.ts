/**
 * blockhash's per-row run totals as a WebAssembly SIMD kernel, assembled here as bytes (no
 * toolchain), used by blockhash-sums.ts where it is available. Integer sums only, so its totals are
 * the JS reader's exactly.
 *
 * sums(pix, rowBytes, rows, runs, count, out, mask): for each of `rows` rows (rowBytes apart from pix)
 * and each of `count` runs (at runs + 8 k: i32 first byte and i32 end byte, within a row), the
 * total of the run's pixel values, one i32 at out per (row, run). Sixteen bytes per v128 load,
 * added pairwise into eight 16-bit lanes (folded into four i32 lanes every LOADS_PER_FOLD loads;
 * RGBA: four i32 values a load). The last 0..15 bytes come from the 16 bytes
 * ending at the run's end, the bytes before the tail zeroed by a mask loaded from mask + tail
 * (16 zero bytes then 16 0xff): no load reads past a run's end, and what a short run's tail load
 * reads before its start (at least 16 bytes into memory) is masked out.
 * Pixel value, two kernels: `bytes` sums every byte (RGB: r+g+b; grey, one byte a pixel: the
 * caller multiplies by 3); `rgba` sums r+g+b of each 4-byte pixel, or 765 (white) where alpha is
 * 0, as blockhash-core counts a fully transparent pixel; its tail mask clears whole pixels after
 * the values are formed.
 */
import { assembleModule, compile, instantiate, instantiateWithMemory, type WasmMemory, type WasmMemorySpec } from '../wasm/module.js';
import { addTo, decrementAndLoop, EMPTY_BLOCK, get, I32, i32, i32x4LaneSum, memarg, OP, set, SIMD, V128, zero } from '../wasm/ops.js';

export type RunKernelKind = 'bytes' | 'rgba';

/** The tail masks, 16 zero bytes then 16 bytes of 0xff: where blockhash-sums.ts keeps them in the kernel's own memory. */
export const MASK_AT = 0;
export const MASK_BYTES = 32;
/** Bytes of one run descriptor (i32 start, i32 end). */
export const RUN_DESC_BYTES = 8;

const [PIX, ROW_BYTES, ROWS, RUNS, COUNT, OUT, MASK] = [0, 1, 2, 3, 4, 5, 6];
const [K, D, P, END, N, M] = [7, 8, 9, 10, 11, 12];
const [ACC, V, WHITE, ALPHA_MIN, RGB_MASK, ACC16] = [13, 14, 15, 16, 17, 18];
const I32_LOCALS = 6;
const V128_LOCALS = 6;
const WHITE_VALUE = 765;
/** Loads summed into 16-bit lanes before they are folded into the 32-bit ones (each adds at most 2 * 255 to a lane). */
const LOADS_PER_FOLD = 128;

const splat = (l: number, n: number): number[] => [...i32(n), ...SIMD.i32x4Splat, ...set(l)];
/** The four i32 lanes holding the sum of the 16 bytes on the stack, four to a lane. */
const widen = [...SIMD.i16x8ExtaddPairwiseI8x16U, ...SIMD.i32x4ExtaddPairwiseI16x8U];
/** The four RGBA pixels on the stack as four i32 values: r+g+b, or 765 where alpha is 0. */
const rgbaValues = [
  ...set(V),
  ...get(WHITE),
  ...get(V),
  ...get(RGB_MASK),
  ...SIMD.and,
  ...widen,
  ...get(V),
  ...get(ALPHA_MIN),
  ...SIMD.i32x4LtU,
  ...SIMD.bitselect,
];
/** The tail mask for the bytes left between P and END (0..15). */
const tailMask = [...get(END), ...get(P), OP.i32Sub, ...get(MASK), OP.i32Add, ...SIMD.load, ...memarg(0, 0)];

/** ACC += the RGBA values of the N whole loads from P. */
const wideLoads = [
  OP.block,
  EMPTY_BLOCK,
  ...get(N),
  OP.i32Eqz,
  OP.brIf,
  0,
  OP.loop,
  EMPTY_BLOCK,
  ...get(ACC),
  ...get(P),
  ...SIMD.load,
  ...memarg(0, 0),
  ...rgbaValues,
  ...SIMD.i32x4Add,
  ...set(ACC),
  ...addTo(P, i32(16)),
  ...decrementAndLoop(N),
  OP.end,
  OP.end,
];

/** ACC += the bytes of the N whole loads from P: up to LOADS_PER_FOLD loads into 16-bit lanes, then folded. */
const foldedLoads = [
  OP.block,
  EMPTY_BLOCK,
  OP.loop,
  EMPTY_BLOCK,
  ...get(N),
  OP.i32Eqz,
  OP.brIf,
  1,
  ...get(N),
  ...i32(LOADS_PER_FOLD),
  ...get(N),
  ...i32(LOADS_PER_FOLD),
  OP.i32LtU,
  OP.select,
  ...set(M),
  ...get(N),
  ...get(M),
  OP.i32Sub,
  ...set(N),
  ...zero(ACC16),
  OP.loop,
  EMPTY_BLOCK,
  ...get(ACC16),
  ...get(P),
  ...SIMD.load,
  ...memarg(0, 0),
  ...SIMD.i16x8ExtaddPairwiseI8x16U,
  ...SIMD.i16x8Add,
  ...set(ACC16),
  ...addTo(P, i32(16)),
  ...decrementAndLoop(M),
  OP.end,
  ...get(ACC),
  ...get(ACC16),
  ...SIMD.i32x4ExtaddPairwiseI16x8U,
  ...SIMD.i32x4Add,
  ...set(ACC),
  OP.br,
  0,
  OP.end,
  OP.end,
];

function sumsBody(kind: RunKernelKind): number[] {
  const tail =
    kind === 'bytes'
      ? [...get(END), ...i32(16), OP.i32Sub, ...SIMD.load, ...memarg(0, 0), ...tailMask, ...SIMD.and, ...widen]
      : [...get(END), ...i32(16), OP.i32Sub, ...SIMD.load, ...memarg(0, 0), ...rgbaValues, ...tailMask, ...SIMD.and];
  const run = [
    ...get(PIX),
    ...get(D),
    OP.i32Load,
    ...memarg(2, 0),
    OP.i32Add,
    ...set(P),
    ...get(PIX),
    ...get(D),
    OP.i32Load,
    ...memarg(2, 4),
    OP.i32Add,
    ...set(END),
    ...get(END),
    ...get(P),
    OP.i32Sub,
    ...i32(4),
    OP.i32ShrU,
    ...set(N),
    ...zero(ACC),
    ...(kind === 'bytes' ? foldedLoads : wideLoads),
    ...get(ACC),
    ...tail,
    ...SIMD.i32x4Add,
    ...set(ACC),
    ...get(OUT),
    ...i32x4LaneSum(ACC),
    OP.i32Store,
    ...memarg(2, 0),
    ...addTo(OUT, i32(4)),
    ...addTo(D, i32(RUN_DESC_BYTES)),
  ];
  const row = [
    ...get(RUNS),
    ...set(D),
    ...get(COUNT),
    ...set(K),
    OP.block,
    EMPTY_BLOCK,
    ...get(K),
    OP.i32Eqz,
    OP.brIf,
    0,
    OP.loop,
    EMPTY_BLOCK,
    ...run,
    ...decrementAndLoop(K),
    OP.end,
    OP.end,
    ...addTo(PIX, get(ROW_BYTES)),
  ];
  const constants = kind === 'rgba' ? [...splat(WHITE, WHITE_VALUE), ...splat(ALPHA_MIN, 0x1000000), ...splat(RGB_MASK, 0xffffff)] : [];
  return [
    ...constants,
    OP.block,
    EMPTY_BLOCK,
    ...get(ROWS),
    OP.i32Eqz,
    OP.brIf,
    0,
    OP.loop,
    EMPTY_BLOCK,
    ...row,
    ...decrementAndLoop(ROWS),
    OP.end,
    OP.end,
    OP.end,
  ];
}

/** The module with its own memory, or (`memory` imported) one that reads another kernel's memory. */
export function runKernelBytes(kind: RunKernelKind, memory: WasmMemorySpec = { own: { minPages: 1 } }): Uint8Array {
  return assembleModule(
    [{ name: 'sums', params: [I32, I32, I32, I32, I32, I32, I32], results: [], locals: [[I32_LOCALS, I32], [V128_LOCALS, V128]], code: sumsBody(kind) }],
    memory,
  );
}

export interface RunKernel {
  sums(pix: number, rowBytes: number, rows: number, runs: number, count: number, out: number, mask: number): void;
  memory: WasmMemory;
}

/** Instantiates the kernel, or null where WebAssembly SIMD is unavailable. */
export function instantiateRunKernel(kind: RunKernelKind): RunKernel | null {
  return instantiate<RunKernel>(runKernelBytes(kind));
}

/** Per kind: the module that imports its memory, compiled on first use. */
const compiled: Partial<Record<RunKernelKind, object>> = {};

/** The kernel on `memory` (another kernel's), so it sums rows that kernel's caller copied there; only where instantiateRunKernel serves. */
export function runKernelOn(kind: RunKernelKind, memory: WasmMemory): RunKernel {
  const module = (compiled[kind] ??= compile(runKernelBytes(kind, { imported: { minPages: 1 } })));
  return { ...instantiateWithMemory<Pick<RunKernel, 'sums'>>(module, memory), memory };
}
