/**
 * Assembles a WebAssembly module from function bodies (types, memory, exports and code sections
 * written once here) and instantiates it; modules are built as bytes so no toolchain or binary
 * blob enters the repo.
 */
import { name, section, uleb, vec } from './encoding.js';

export interface WasmFunction {
  /** Export name. */
  readonly name: string;
  /** Value types of the parameters and of the results. */
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Local declarations after the parameters: [count, value type] runs. */
  readonly locals: readonly (readonly [number, number])[];
  /** The instructions, ending with `end`. */
  readonly code: readonly number[];
}

/** The module's memory: its own (exported as "memory") or imported as env.memory. */
export type WasmMemorySpec = { readonly own: { readonly minPages: number } } | { readonly imported: { readonly minPages: number } };

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const FUNC_TYPE = 0x60;
const EXTERN_FUNC = 0x00;
const EXTERN_MEMORY = 0x02;
const LIMITS_MIN_ONLY = 0x00;
const enum Section {
  Type = 1,
  Import = 2,
  Function = 3,
  Memory = 5,
  Export = 7,
  Code = 10,
}

/** One type per function (in order), the memory, the exports (functions, then an own memory) and the code. */
export function assembleModule(functions: readonly WasmFunction[], memory: WasmMemorySpec): Uint8Array {
  const types = functions.map((f) => [FUNC_TYPE, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const exports = functions.map((f, i) => [...name(f.name), EXTERN_FUNC, ...uleb(i)]);
  const code = functions.map((f) => {
    const body = [...vec(f.locals.map(([count, type]) => [...uleb(count), type])), ...f.code];
    return [...uleb(body.length), ...body];
  });
  const bytes = [...MAGIC_AND_VERSION, ...section(Section.Type, vec(types))];
  if ('imported' in memory) {
    bytes.push(...section(Section.Import, vec([[...name('env'), ...name('memory'), EXTERN_MEMORY, LIMITS_MIN_ONLY, ...uleb(memory.imported.minPages)]])));
  }
  bytes.push(...section(Section.Function, vec(functions.map((_, i) => uleb(i)))));
  if ('own' in memory) {
    bytes.push(...section(Section.Memory, vec([[LIMITS_MIN_ONLY, ...uleb(memory.own.minPages)]])));
    exports.push([...name('memory'), EXTERN_MEMORY, 0]);
  }
  bytes.push(...section(Section.Export, vec(exports)), ...section(Section.Code, vec(code)));
  return Uint8Array.from(bytes);
}

/** The slice of the WebAssembly JS API used here (lib "dom" is not in this project's tsconfig). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasmApi = (): WasmApi | undefined => (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** The module's exports, or null where WebAssembly (or an instruction it uses, such as SIMD) is unavailable. */
export function instantiate<T>(bytes: Uint8Array): T | null {
  const wasm = wasmApi();
  if (!wasm || !wasm.validate(bytes)) return null;
  return new wasm.Instance(new wasm.Module(bytes), {}).exports as unknown as T;
}

/** A compiled module, to instantiate many times with different imports. */
export function compile(bytes: Uint8Array): object {
  return new (wasmApi()!.Module)(bytes);
}

/** An instance of a compiled module whose memory is imported as env.memory. */
export function instantiateWithMemory<T>(module: object, memory: WasmMemory): T {
  return new (wasmApi()!.Instance)(module, { env: { memory } }).exports as unknown as T;
}

export function createMemory(initialPages: number, maximumPages: number): WasmMemory {
  return new (wasmApi()!.Memory)({ initial: initialPages, maximum: maximumPages });
}
