import type { IndexMatch, PackedHashes } from './types.js';
import { createMemory, instantiateKernel, type Kernel, type WasmMemory } from './wasm.js';

const PAGE_BYTES = 65536;
const MAX_PAGES = 65536;
const WORD_BYTES = 8;
const INITIAL_SCRATCH_BYTES = 8192;
const PAIR_BYTES = 8;

/** Matches as parallel arrays of hash positions and distances, sorted by distance then position. */
export interface Hits {
  readonly pos: Uint32Array;
  readonly dist: Uint32Array;
}

/**
 * The answer of most queries, shared: typed arrays are costly to allocate (each one's backing store
 * is tracked by the garbage collector), and empty ones cannot be changed.
 */
const NO_HITS: Hits = { pos: new Uint32Array(0), dist: new Uint32Array(0) };

export function checkPacked(packed: PackedHashes): void {
  const { bits, count, bytes, ids } = packed;
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) {
    throw new RangeError(`Expected a positive multiple of 8 for bits but received ${bits}`);
  }
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`Expected a non-negative integer count but received ${count}`);
  if (bytes.length !== (count * bits) / 8) {
    throw new RangeError(`Expected ${(count * bits) / 8} bytes for ${count} hashes of ${bits} bits but received ${bytes.length}`);
  }
  if (ids.length !== count) throw new RangeError(`Expected ${count} ids but received ${ids.length}`);
}

export function checkRadius(radius: number): void {
  if (!Number.isInteger(radius) || radius < 0) {
    throw new RangeError(`Expected a non-negative integer radius but received ${radius}`);
  }
}

export function checkQuery(hash: Uint8Array, bits: number): void {
  if (!(hash instanceof Uint8Array) || hash.length * 8 !== bits) {
    const got = hash instanceof Uint8Array ? `${hash.length * 8} bits` : typeof hash;
    throw new RangeError(`Expected a ${bits}-bit hash (${bits / 8} bytes) but received ${got}`);
  }
}

/**
 * One WebAssembly memory holding the hashes (each padded to whole 64-bit words) and whatever
 * tables an index allocates after them, plus the kernel compiled for that hash width.
 */
export class HashArena {
  readonly bits: number;
  readonly count: number;
  readonly bytesPerHash: number;
  readonly stride: number;
  readonly base: number;
  readonly memory: WasmMemory;
  readonly kernel: Kernel;
  private top: number;
  private queryPtr: number;
  private readonly scratches = new Map<string, { ptr: number; bytes: number }>();
  private viewBuffer: ArrayBuffer | null = null;
  private u8View = new Uint8Array(0);
  private u32View = new Uint32Array(0);

  private constructor(bits: number, count: number) {
    this.bits = bits;
    this.count = count;
    this.bytesPerHash = bits / 8;
    const words = Math.ceil(this.bytesPerHash / WORD_BYTES);
    this.stride = words * WORD_BYTES;
    this.memory = createMemory(1, MAX_PAGES);
    this.kernel = instantiateKernel(words, this.memory);
    this.queryPtr = 0;
    this.base = this.stride;
    this.top = this.base;
    this.alloc(this.count * this.stride + WORD_BYTES);
  }

  static fromPacked(packed: PackedHashes): HashArena {
    checkPacked(packed);
    const arena = new HashArena(packed.bits, packed.count);
    const u8 = arena.u8();
    const { base, stride, bytesPerHash } = arena;
    if (stride === bytesPerHash) {
      u8.set(packed.bytes, base);
    } else {
      for (let i = 0; i < packed.count; i++) {
        u8.set(packed.bytes.subarray(i * bytesPerHash, (i + 1) * bytesPerHash), base + i * stride);
      }
    }
    return arena;
  }

  /** An arena whose first `imageBytes` bytes (see `image`) are written by `fill`. */
  static restore(bits: number, count: number, imageBytes: number, fill: (image: Uint8Array) => void): HashArena {
    const arena = new HashArena(bits, count);
    if (imageBytes < arena.top || imageBytes % WORD_BYTES !== 0) throw new RangeError(`Index image of ${imageBytes} bytes is too short for ${count} hashes`);
    arena.alloc(imageBytes - arena.top);
    fill(arena.u8().subarray(0, imageBytes));
    return arena;
  }

  /** Bytes allocated so far, from address 0 (hashes, then tables, then buffers). */
  get used(): number {
    return this.top;
  }

  /** Reserve `bytes` (8-byte aligned) at the top of memory; returns the byte address. */
  alloc(bytes: number): number {
    const ptr = this.top;
    const end = ptr + Math.ceil(bytes / WORD_BYTES) * WORD_BYTES;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const pages = Math.ceil((end - have) / PAGE_BYTES);
      if (have / PAGE_BYTES + pages > MAX_PAGES) {
        throw new RangeError(`Index needs ${Math.ceil(end / 2 ** 20)} MiB, over the 4 GiB WebAssembly limit; split the list`);
      }
      this.memory.grow(pages);
    }
    this.top = end;
    return ptr;
  }

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  u8(): Uint8Array {
    this.refreshViews();
    return this.u8View;
  }

  u32(): Uint32Array {
    this.refreshViews();
    return this.u32View;
  }

  private refreshViews(): void {
    if (this.viewBuffer !== this.memory.buffer) {
      this.viewBuffer = this.memory.buffer;
      this.u8View = new Uint8Array(this.viewBuffer);
      this.u32View = new Uint32Array(this.viewBuffer);
    }
  }

  /** Copy the query into its slot (zero padded) and return its address. */
  setQuery(hash: Uint8Array): number {
    const u8 = this.u8();
    u8.fill(0, this.queryPtr, this.queryPtr + this.stride);
    u8.set(hash, this.queryPtr);
    return this.queryPtr;
  }

  /**
   * A named scratch buffer of at least `bytes`, reused across queries; growing it allocates a
   * new one (at most doubling, so the space left behind stays under the final size).
   */
  scratch(name: string, bytes: number): number {
    const have = this.scratches.get(name);
    if (have && have.bytes >= bytes) return have.ptr;
    const size = 2 ** Math.ceil(Math.log2(Math.max(bytes, INITIAL_SCRATCH_BYTES)));
    const ptr = this.alloc(size);
    this.scratches.set(name, { ptr, bytes: size });
    return ptr;
  }

  scratchBytes(name: string): number {
    return this.scratches.get(name)?.bytes ?? 0;
  }

  /** Every position within `radius` of the query, by a full scan. */
  scan(hash: Uint8Array, radius: number): Hits {
    const q = this.setQuery(hash);
    let out = this.scratch('out', 0);
    let hits = this.kernel.scan(this.base, this.count, q, radius, out, this.scratchBytes('out') / PAIR_BYTES);
    if (hits * PAIR_BYTES > this.scratchBytes('out')) {
      out = this.scratch('out', hits * PAIR_BYTES);
      hits = this.kernel.scan(this.base, this.count, q, radius, out, hits);
    }
    return this.collect(out, hits);
  }

  /** Read `hits` (position, distance) pairs at `out`; sort by distance then position; drop repeats. */
  collect(out: number, hits: number): Hits {
    if (hits === 0) return NO_HITS;
    const u32 = this.u32();
    const start = out >>> 2;
    const keys = new Float64Array(hits);
    for (let i = 0; i < hits; i++) keys[i] = u32[start + 2 * i + 1] * 2 ** 32 + u32[start + 2 * i];
    keys.sort();
    let n = 0;
    for (let i = 0; i < hits; i++) if (i === 0 || keys[i] !== keys[i - 1]) keys[n++] = keys[i];
    const pos = new Uint32Array(n);
    const dist = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      dist[i] = Math.floor(keys[i] / 2 ** 32);
      pos[i] = keys[i] % 2 ** 32;
    }
    return { pos, dist };
  }
}

export function toMatches(hits: Hits, ids: Uint32Array): IndexMatch[] {
  const out: IndexMatch[] = new Array(hits.pos.length);
  for (let i = 0; i < hits.pos.length; i++) out[i] = { id: ids[hits.pos[i]], distance: hits.dist[i] };
  return out;
}
