/**
 * WebAssembly kernels for Hamming search, assembled here as bytes (no toolchain). Distances sum
 * `i64.popcnt` over the XOR of 64-bit words, unrolled for one hash width; hits are written as
 * (position, distance) u32 pairs, and counted past `cap` so the caller can grow the buffer and
 * ask again.
 *
 * scan(base, count, query, radius, out, cap) -> hits: compare every stored hash.
 * probe(offsets, ids, base, key, masks, maskCount, query, radius, out, hits, cap) -> hits: for
 *   each probe key = key ^ mask, check every position in that bucket of one multi-index table.
 *
 * (Variants that first collect every probed bucket, then check the candidates in a second,
 * branch-light pass so more cache misses overlap, measured 1.4-2x slower at 1M hashes.)
 */

const I32 = 0x7f;
const I64 = 0x7e;
const EMPTY_BLOCK = 0x40;

const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  i32Store: 0x36,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32LeU: 0x4d,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  i32Xor: 0x73,
  i64Popcnt: 0x7b,
  i64Add: 0x7c,
  i64Xor: 0x85,
  i32WrapI64: 0xa7,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function name(s: string): number[] {
  return [...uleb(s.length), ...Buffer.from(s, 'utf8')];
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

const get = (i: number) => [OP.localGet, ...uleb(i)];
const set = (i: number) => [OP.localSet, ...uleb(i)];
const tee = (i: number) => [OP.localTee, ...uleb(i)];
const i32 = (n: number) => [OP.i32Const, ...sleb(n)];
const load32 = (offset: number) => [OP.i32Load, 2, ...uleb(offset)];
const load64 = (offset: number) => [OP.i64Load, 3, ...uleb(offset)];
const store32 = (offset: number) => [OP.i32Store, 2, ...uleb(offset)];
const inc = (i: number) => [...get(i), ...i32(1), OP.i32Add, ...set(i)];

/** Load the query's words into i64 locals first..first+words-1. */
function loadQuery(query: number, first: number, words: number): number[] {
  const code: number[] = [];
  for (let w = 0; w < words; w++) code.push(...get(query), ...load64(w * 8), ...set(first + w));
  return code;
}

/** Leaves the distance (i32) between the hash at local `ptr` and the query words on the stack. */
function distance(ptr: number, firstQueryWord: number, words: number): number[] {
  const code: number[] = [];
  for (let w = 0; w < words; w++) {
    code.push(...get(ptr), ...load64(w * 8), ...get(firstQueryWord + w), OP.i64Xor, OP.i64Popcnt);
    if (w > 0) code.push(OP.i64Add);
  }
  code.push(OP.i32WrapI64);
  return code;
}

/** for (; i < limit; i++) { body } */
function forLoop(i: number, limit: number, body: number[]): number[] {
  return [
    OP.block, EMPTY_BLOCK,
    OP.loop, EMPTY_BLOCK,
    ...get(i), ...get(limit), OP.i32GeU, OP.brIf, 1,
    ...body,
    ...inc(i),
    OP.br, 0,
    OP.end,
    OP.end,
  ];
}

/** Address of the i-th 8-byte (position, distance) or (start, end) pair at `base`. */
const pairAt = (base: number, i: number) => [...get(base), ...get(i), ...i32(3), OP.i32Shl, OP.i32Add];

interface Body {
  readonly params: number;
  readonly i32Locals: number;
  readonly i64Locals: number;
  readonly code: number[];
}

/**
 * Distance from the hash at `ptr` to the query; within `radius`, write (pos, dist) at out[hits]
 * while hits < cap, and count the hit either way. Shared by the scan and probe kernels.
 */
function compareAndRecord(
  words: number,
  l: { ptr: number; q0: number; dist: number; radius: number; hits: number; cap: number; out: number; pos: number },
): number[] {
  return [
    ...distance(l.ptr, l.q0, words), ...tee(l.dist),
    ...get(l.radius), OP.i32LeU,
    OP.if, EMPTY_BLOCK,
    ...get(l.hits), ...get(l.cap), OP.i32LtU,
    OP.if, EMPTY_BLOCK,
    ...pairAt(l.out, l.hits), ...get(l.pos), ...store32(0),
    ...pairAt(l.out, l.hits), ...get(l.dist), ...store32(4),
    OP.end,
    ...inc(l.hits),
    OP.end,
  ];
}

/** scan(base, count, query, radius, out, cap) -> hits; pairs past cap are counted, not written. */
function scanBody(words: number, stride: number): Body {
  const [base, count, query, radius, out, cap] = [0, 1, 2, 3, 4, 5];
  const [hits, pos, ptr, dist, q0] = [6, 7, 8, 9, 10];
  const code = [
    ...loadQuery(query, q0, words),
    ...get(base), ...set(ptr),
    ...forLoop(pos, count, [
      ...compareAndRecord(words, { ptr, q0, dist, radius, hits, cap, out, pos }),
      ...get(ptr), ...i32(stride), OP.i32Add, ...set(ptr),
    ]),
    ...get(hits),
    OP.end,
  ];
  return { params: 6, i32Locals: 4, i64Locals: words, code };
}

/** probe(offsets, ids, base, key, masks, maskCount, query, radius, out, hits, cap) -> hits: one pass per table. */
function probeBody(words: number, stride: number): Body {
  const [offsets, ids, base, key, masks, maskCount, query, radius, out, hits, cap] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [m, slot, j, end, pos, ptr, dist, q0] = [11, 12, 13, 14, 15, 16, 17, 18];
  const code = [
    ...loadQuery(query, q0, words),
    ...forLoop(m, maskCount, [
      ...get(masks), ...get(m), ...i32(2), OP.i32Shl, OP.i32Add, ...load32(0),
      ...get(key), OP.i32Xor, ...i32(2), OP.i32Shl, ...get(offsets), OP.i32Add, ...tee(slot),
      ...load32(4), ...set(end),
      ...get(slot), ...load32(0), ...set(j),
      ...forLoop(j, end, [
        ...get(ids), ...get(j), ...i32(2), OP.i32Shl, OP.i32Add, ...load32(0), ...tee(pos),
        ...i32(stride), OP.i32Mul, ...get(base), OP.i32Add, ...set(ptr),
        ...compareAndRecord(words, { ptr, q0, dist, radius, hits, cap, out, pos }),
      ]),
    ]),
    ...get(hits),
    OP.end,
  ];
  return { params: 11, i32Locals: 7, i64Locals: words, code };
}

const FUNCTIONS = ['scan', 'probe'] as const;

/** The module bytes for hashes of `words` 64-bit words, importing its memory as env.memory. */
export function kernelModuleBytes(words: number): Uint8Array {
  if (!Number.isInteger(words) || words < 1 || words > 64) throw new RangeError(`Unsupported hash width: ${words} words`);
  const stride = words * 8;
  const bodies = [scanBody(words, stride), probeBody(words, stride)];
  const types = bodies.map((b) => [0x60, ...vec(Array(b.params).fill([I32])), ...vec([[I32]])]);
  const code = bodies.map((b) => {
    const locals = [[...uleb(b.i32Locals), I32], ...(b.i64Locals ? [[...uleb(b.i64Locals), I64]] : [])];
    const body = [...vec(locals), ...b.code];
    return [...uleb(body.length), ...body];
  });
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(bodies.map((_, i) => uleb(i)))),
    ...section(7, vec(FUNCTIONS.map((f, i) => [...name(f), 0x00, i]))),
    ...section(10, vec(code)),
  ]);
}

export interface Kernel {
  scan(base: number, count: number, query: number, radius: number, out: number, cap: number): number;
  probe(
    offsets: number, ids: number, base: number, key: number, masks: number, maskCount: number,
    query: number, radius: number, out: number, hits: number, cap: number,
  ): number;
}

/** The slice of the WebAssembly JS API used here (lib "dom" is not in this project's tsconfig). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const WASM = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function createMemory(initialPages: number, maximumPages: number): WasmMemory {
  return new WASM.Memory({ initial: initialPages, maximum: maximumPages });
}

const compiled = new Map<number, object>();

export function instantiateKernel(words: number, memory: WasmMemory): Kernel {
  let mod = compiled.get(words);
  if (!mod) {
    mod = new WASM.Module(kernelModuleBytes(words));
    compiled.set(words, mod);
  }
  const instance = new WASM.Instance(mod, { env: { memory } });
  return instance.exports as unknown as Kernel;
}
