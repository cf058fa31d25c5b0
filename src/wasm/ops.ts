/**
 * WebAssembly opcodes and instruction helpers for the hand-assembled kernels (search and PDQ):
 * one table, so the kernels only write function bodies.
 */
import { sleb, uleb } from './encoding.js';

export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;
export const EMPTY_BLOCK = 0x40;

export const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f64Load: 0x2b,
  i32Store: 0x36,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32LeU: 0x4d,
  i32GeU: 0x4f,
  i32Popcnt: 0x69,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivU: 0x6e,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrU: 0x76,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Xor: 0x85,
  f64Add: 0xa0,
  i32WrapI64: 0xa7,
} as const;

/** SIMD instructions: the 0xfd prefix, then the opcode as unsigned LEB128 (lane/memarg immediates follow). */
export const SIMD = {
  load: [0xfd, 0x00],
  load32Splat: [0xfd, 0x09],
  store: [0xfd, 0x0b],
  const: [0xfd, 0x0c],
  shuffle: [0xfd, 0x0d],
  swizzle: [0xfd, 0x0e],
  i32x4Splat: [0xfd, 0x11],
  f64x2Splat: [0xfd, 0x14],
  i32x4ExtractLane: [0xfd, 0x1b],
  f32x4ExtractLane: [0xfd, 0x1f],
  f64x2ExtractLane: [0xfd, 0x21],
  i32x4LtU: [0xfd, 0x3a],
  and: [0xfd, 0x4e],
  or: [0xfd, 0x50],
  bitselect: [0xfd, 0x52],
  i16x8ExtaddPairwiseI8x16U: [0xfd, 0x7d],
  i32x4ExtaddPairwiseI16x8U: [0xfd, 0x7f],
  i16x8ExtendLowI8x16U: [0xfd, 0x89, 0x01],
  i16x8ExtendHighI8x16U: [0xfd, 0x8a, 0x01],
  i16x8Add: [0xfd, 0x8e, 0x01],
  i32x4Shl: [0xfd, 0xab, 0x01],
  i32x4ShrU: [0xfd, 0xad, 0x01],
  i32x4Add: [0xfd, 0xae, 0x01],
  i32x4Mul: [0xfd, 0xb5, 0x01],
  i32x4DotI16x8S: [0xfd, 0xba, 0x01],
  f32x4Abs: [0xfd, 0xe0, 0x01],
  f32x4Add: [0xfd, 0xe4, 0x01],
  f32x4Sub: [0xfd, 0xe5, 0x01],
  f32x4Mul: [0xfd, 0xe6, 0x01],
  f32x4Div: [0xfd, 0xe7, 0x01],
  f32x4Min: [0xfd, 0xe8, 0x01],
  f64x2Add: [0xfd, 0xf0, 0x01],
  f64x2Mul: [0xfd, 0xf2, 0x01],
  i32x4TruncSatF32x4S: [0xfd, 0xf8, 0x01],
  f32x4ConvertI32x4S: [0xfd, 0xfa, 0x01],
  f64x2ConvertLowI32x4S: [0xfd, 0xfe, 0x01],
} as const;

export const get = (i: number): number[] => [OP.localGet, ...uleb(i)];
export const set = (i: number): number[] => [OP.localSet, ...uleb(i)];
export const tee = (i: number): number[] => [OP.localTee, ...uleb(i)];
export const i32 = (n: number): number[] => [OP.i32Const, ...sleb(n)];
/** A memory immediate: log2 of the alignment, then the offset. */
export const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];
/** local += 1 (i32). */
export const inc = (l: number): number[] => addTo(l, i32(1));
/** local += the i32 that `amount` leaves on the stack. */
export const addTo = (l: number, amount: number[]): number[] => [...get(l), ...amount, OP.i32Add, ...set(l)];
/** local -= 1; loop again (branch to the enclosing loop) while it is not zero. */
export const decrementAndLoop = (l: number): number[] => [...get(l), ...i32(1), OP.i32Sub, ...tee(l), OP.brIf, 0];
/** A v128 constant of the 16 given bytes. */
export const v128Const = (bytes: ArrayLike<number>): number[] => [...SIMD.const, ...Array.from(bytes)];
/** local = the zero v128. */
export const zero = (l: number): number[] => [...v128Const(new Uint8Array(16)), ...set(l)];

/** The sum of the four i32 lanes of v128 local `l`, left on the stack (lane 0 + 1, + 2, + 3). */
export const i32x4LaneSum = (l: number): number[] => [
  ...[0, 1, 2, 3].flatMap((i) => [...get(l), ...SIMD.i32x4ExtractLane, i, ...(i > 0 ? [OP.i32Add] : [])]),
];
