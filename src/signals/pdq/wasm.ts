/**
 * Just enough of a WebAssembly assembler for the PDQ kernels (simd.ts, dct-simd.ts): opcodes,
 * LEB128, sections, and instantiation that returns null where SIMD is unavailable. Modules are
 * assembled here as bytes so that no toolchain or binary blob enters the repo.
 */
import { sleb, uleb } from '../../wasm/encoding.js';

export const I32 = 0x7f;
export const V128 = 0x7b;
export const EMPTY_BLOCK = 0x40;

export const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  f64Add: 0xa0,
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
  f64x2ExtractLane: [0xfd, 0x21],
  and: [0xfd, 0x4e],
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
  f64x2ConvertLowI32x4S: [0xfd, 0xfe, 0x01],
} as const;

export { name, section, sleb, uleb, vec } from '../../wasm/encoding.js';

export const get = (i: number): number[] => [OP.localGet, i];
export const set = (i: number): number[] => [OP.localSet, i];
export const i32 = (n: number): number[] => [OP.i32Const, ...sleb(n)];
export const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];
/** A v128 constant of the 16 given bytes. */
export const v128Const = (bytes: ArrayLike<number>): number[] => [...SIMD.const, ...Array.from(bytes)];
export const zero = (l: number): number[] => [...v128Const(new Uint8Array(16)), ...set(l)];
export const decrementAndLoop = (l: number): number[] => [...get(l), ...i32(1), OP.i32Sub, OP.localTee, l, OP.brIf, 0];
export const addTo = (l: number, amount: number[]): number[] => [...get(l), ...amount, OP.i32Add, ...set(l)];

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}

/** The module's exports, or null where WebAssembly (or an instruction it uses, such as SIMD) is unavailable. */
export function instantiate<T>(bytes: Uint8Array): T | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm || !wasm.validate(bytes)) return null;
  return new wasm.Instance(new wasm.Module(bytes), {}).exports as unknown as T;
}
