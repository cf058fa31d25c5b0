/**
 * WebAssembly kernels for Hamming search, assembled here as bytes (no toolchain). Distances sum
 * `i64.popcnt` over the XOR of 64-bit words, unrolled for one hash width; hits are written as
 * (position, distance) u32 pairs, and counted past `cap` so the caller can grow the buffer and
 * ask again.
 *
 * scan(base, count, query, radius, out, cap) -> hits: compare every stored hash. The
 * multi-index query runs in passes whose loads do not depend on one another, so the CPU overlaps
 * many cache and TLB misses instead of waiting on each in turn: bounds (the bucket of every
 * probe), then gather (plain tables: positions) or sieve (sieved tables: positions whose inline
 * filter bits pass), then verify (full distances). Why passes and not one loop: docs/search.md.
 */

import { createMemory, assembleModule, compile, instantiateWithMemory, type WasmMemory } from '../wasm/module.js';
import { EMPTY_BLOCK, get, I32, i32, I64, inc, memarg, OP, set, tee } from '../wasm/ops.js';

export { createMemory, type WasmMemory };

const load32 = (offset: number) => [OP.i32Load, ...memarg(2, offset)];
const load64 = (offset: number) => [OP.i64Load, ...memarg(3, offset)];
const store32 = (offset: number) => [OP.i32Store, ...memarg(2, offset)];

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

/** while (p < limit) { body; p += step } */
function walk(p: number, limit: number, step: number, body: number[]): number[] {
  return [
    OP.block, EMPTY_BLOCK,
    OP.loop, EMPTY_BLOCK,
    ...get(p), ...get(limit), OP.i32GeU, OP.brIf, 1,
    ...body,
    ...get(p), ...i32(step), OP.i32Add, ...set(p),
    OP.br, 0,
    OP.end,
    OP.end,
  ];
}

/**
 * A probe descriptor, one per table slice and query (u32 fields): offsets, entries, key, masks,
 * maskCount, then for sieved tables the query's filter words (bytes 8..11 at +20, 0..7 at +24)
 * and the table's positions (at +32).
 */
export const PROBE_DESC_BYTES = 40;
/** A sieved table entry: 12 filter bytes of the hash (u64 at +0, u32 at +8); positions are a parallel u32 array. */
export const SIEVE_ENTRY_BYTES = 12;

/**
 * bounds(desc, descCount, ranges, entryBytes) -> entries: for every descriptor and every mask,
 * the bucket of key ^ mask as an (entriesStart, entriesEnd) byte-address pair at ranges. Nothing
 * branches on the loaded offsets, so the offset loads of all probes overlap.
 */
function boundsBody(touch: boolean): Body {
  const [desc, descCount, ranges, entryBytes] = [0, 1, 2, 3];
  const [descEnd, m, mEnd, key, offsets, entries, slot, start, end, total, sink] = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
  const address = (index: number) => [...get(index), ...get(entryBytes), OP.i32Mul, ...get(entries), OP.i32Add];
  const code = [
    ...get(desc), ...get(descCount), ...i32(PROBE_DESC_BYTES), OP.i32Mul, OP.i32Add, ...set(descEnd),
    ...walk(desc, descEnd, PROBE_DESC_BYTES, [
      ...get(desc), ...load32(0), ...set(offsets),
      ...get(desc), ...load32(4), ...set(entries),
      ...get(desc), ...load32(8), ...set(key),
      ...get(desc), ...load32(12), ...tee(m),
      ...get(desc), ...load32(16), ...i32(2), OP.i32Shl, OP.i32Add, ...set(mEnd),
      ...walk(m, mEnd, 4, [
        ...get(m), ...load32(0), ...get(key), OP.i32Xor, ...i32(2), OP.i32Shl, ...get(offsets), OP.i32Add, ...tee(slot),
        ...load32(0), ...set(start),
        ...get(slot), ...load32(4), ...set(end),
        ...get(ranges), ...address(start), ...store32(0),
        ...get(ranges), ...address(end), ...store32(4),
        ...(touch
          ? [
            ...get(sink),
            ...address(start), ...load32(0), OP.i32Xor,
            ...address(start), ...load32(64), OP.i32Xor,
            ...address(start), ...load32(128), OP.i32Xor,
            ...address(end), ...i32(4), OP.i32Sub, ...load32(0), OP.i32Xor,
            ...set(sink),
          ]
          : []),
        ...get(total), ...get(end), ...get(start), OP.i32Sub, OP.i32Add, ...set(total),
        ...get(ranges), ...i32(8), OP.i32Add, ...set(ranges),
      ]),
    ]),
    ...(touch ? [...get(ranges), ...get(sink), ...store32(0)] : []),
    ...get(total),
    OP.end,
  ];
  return { params: 4, i32Locals: 11, i64Locals: 0, code };
}

/** gather(ranges, rangeCount, cand) -> candEnd: copy the u32 positions of every range to cand. */
function gatherBody(): Body {
  const [ranges, rangeCount, cand] = [0, 1, 2];
  const [rEnd, p, e] = [3, 4, 5];
  const code = [
    ...get(ranges), ...get(rangeCount), ...i32(3), OP.i32Shl, OP.i32Add, ...set(rEnd),
    ...walk(ranges, rEnd, 8, [
      ...get(ranges), ...load32(0), ...set(p),
      ...get(ranges), ...load32(4), ...set(e),
      ...walk(p, e, 4, [
        ...get(cand), ...get(p), ...load32(0), ...store32(0),
        ...get(cand), ...i32(4), OP.i32Add, ...set(cand),
      ]),
    ]),
    ...get(cand),
    OP.end,
  ];
  return { params: 3, i32Locals: 3, i64Locals: 0, code };
}

/**
 * sieve(desc, descCount, ranges, cand, radius) -> candEnd: walk the sieved entries of every range
 * (in order, bucket by bucket) and keep the positions whose 96 filter bits are within radius of
 * the query's; the filter distance is a lower bound of the full distance. It keeps a branch: a
 * branch-free form makes every store address depend on loaded data (docs/benchmarks.md).
 */
function sieveBody(): Body {
  const [desc, descCount, ranges, cand, radius] = [0, 1, 2, 3, 4];
  const [descEnd, rEnd, p, e, qHigh, entries, positions, qLow] = [5, 6, 7, 8, 9, 10, 11, 12];
  const code = [
    ...get(desc), ...get(descCount), ...i32(PROBE_DESC_BYTES), OP.i32Mul, OP.i32Add, ...set(descEnd),
    ...walk(desc, descEnd, PROBE_DESC_BYTES, [
      ...get(desc), ...load32(20), ...set(qHigh),
      ...get(desc), ...load32(4), ...set(entries),
      ...get(desc), ...load32(32), ...set(positions),
      ...get(desc), ...load64(24), ...set(qLow),
      ...get(desc), ...load32(16), ...i32(3), OP.i32Shl, ...get(ranges), OP.i32Add, ...set(rEnd),
      ...walk(ranges, rEnd, 8, [
        ...get(ranges), ...load32(0), ...set(p),
        ...get(ranges), ...load32(4), ...set(e),
        ...walk(p, e, SIEVE_ENTRY_BYTES, [
          ...get(p), ...load64(0), ...get(qLow), OP.i64Xor, OP.i64Popcnt, OP.i32WrapI64,
          ...get(p), ...load32(8), ...get(qHigh), OP.i32Xor, OP.i32Popcnt, OP.i32Add,
          ...get(radius), OP.i32LeU,
          OP.if, EMPTY_BLOCK,
          ...get(cand),
          ...get(p), ...get(entries), OP.i32Sub, ...i32(SIEVE_ENTRY_BYTES / 4), OP.i32DivU, ...get(positions), OP.i32Add, ...load32(0),
          ...store32(0),
          ...get(cand), ...i32(4), OP.i32Add, ...set(cand),
          OP.end,
        ]),
      ]),
    ]),
    ...get(cand),
    OP.end,
  ];
  return { params: 5, i32Locals: 7, i64Locals: 1, code };
}

/** verify(cand, candEnd, base, query, radius, out, hits, cap) -> hits: full distance of each candidate position. */
function verifyBody(words: number, stride: number): Body {
  const [cand, candEnd, base, query, radius, out, hits, cap] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [pos, ptr, dist, q0] = [8, 9, 10, 11];
  const code = [
    ...loadQuery(query, q0, words),
    ...walk(cand, candEnd, 4, [
      ...get(cand), ...load32(0), ...tee(pos),
      ...i32(stride), OP.i32Mul, ...get(base), OP.i32Add, ...set(ptr),
      ...compareAndRecord(words, { ptr, q0, dist, radius, hits, cap, out, pos }),
    ]),
    ...get(hits),
    OP.end,
  ];
  return { params: 8, i32Locals: 3, i64Locals: words, code };
}

const FUNCTIONS = ['scan', 'bounds', 'boundsTouch', 'gather', 'sieve', 'verify'] as const;

/** The module bytes for hashes of `words` 64-bit words, importing its memory as env.memory. */
export function kernelModuleBytes(words: number): Uint8Array {
  if (!Number.isInteger(words) || words < 1 || words > 64) throw new RangeError(`Unsupported hash width: ${words} words`);
  const stride = words * 8;
  const bodies = [scanBody(words, stride), boundsBody(false), boundsBody(true), gatherBody(), sieveBody(), verifyBody(words, stride)];
  return assembleModule(
    bodies.map((b, i) => ({
      name: FUNCTIONS[i],
      params: Array<number>(b.params).fill(I32),
      results: [I32],
      locals: [[b.i32Locals, I32] as const, ...(b.i64Locals ? [[b.i64Locals, I64] as const] : [])],
      code: b.code,
    })),
    { imported: { minPages: 1 } },
  );
}

export interface Kernel {
  scan(base: number, count: number, query: number, radius: number, out: number, cap: number): number;
  bounds(desc: number, descCount: number, ranges: number, entryBytes: number): number;
  boundsTouch(desc: number, descCount: number, ranges: number, entryBytes: number): number;
  gather(ranges: number, rangeCount: number, cand: number): number;
  sieve(desc: number, descCount: number, ranges: number, cand: number, radius: number): number;
  verify(cand: number, candEnd: number, base: number, query: number, radius: number, out: number, hits: number, cap: number): number;
}

const compiled = new Map<number, object>();

export function instantiateKernel(words: number, memory: WasmMemory): Kernel {
  let mod = compiled.get(words);
  if (!mod) {
    mod = compile(kernelModuleBytes(words));
    compiled.set(words, mod);
  }
  return instantiateWithMemory<Kernel>(mod, memory);
}
