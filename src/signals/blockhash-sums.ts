/**
 * blockhash.io's block sums in one pass over the decoded pixels, exactly as blockhash-core
 * computes them, with typed arrays and no per-pixel division. blockhash-core stays the reference
 * (tests compare the two on every fixture and many sizes).
 *
 * Exactness: for "quick" every sum is an integer. For "precise" with a power-of-two number of
 * blocks a side, every block edge, weight and weighted pixel value is a multiple of 1/bits (of
 * 1/bits² for a product) and every partial sum stays below 2^53, so floating point adds nothing
 * up and any order of addition gives blockhash-core's values bit for bit. Other sizes round on
 * the way in blockhash-core and depend on its order of addition: for those, `exact` is false and
 * the sums serve only the quality metric (the hash then comes from blockhash-core).
 */
import type { WasmMemory } from '../wasm/module.js';
import { instantiateRunKernel, MASK_AT, MASK_BYTES, RUN_DESC_BYTES, type RunKernel, type RunKernelKind, runKernelOn } from './blockhash-simd.js';
import type { BandReader, Pixels } from './types.js';

export type BlockhashMethod = 'precise' | 'quick';

export interface BlockSums {
  /** bits*bits block totals, row by row: the sum over the block of r+g+b (765 for a transparent pixel). */
  readonly sums: Float64Array;
  /** Pixels in one block, as blockhash-core weighs the median tie rule with. */
  readonly pixelsPerBlock: number;
  /** True when `sums` are blockhash-core's own values (see above). */
  readonly exact: boolean;
}

const WHITE = 765;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** Which blocks a row or column feeds and with what weights, as blockhash-core's bmvbhash decides. */
interface Split {
  readonly first: Int32Array;
  readonly second: Int32Array;
  /** Weights scaled by `bits` (integers when bits is a power of two). */
  readonly w1: Float64Array;
  readonly w2: Float64Array;
}

function split(size: number, bits: number): Split {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const w1 = new Float64Array(size);
  const w2 = new Float64Array(size);
  const blockSize = size / bits;
  const even = size % bits === 0;
  for (let i = 0; i < size; i++) {
    let a: number;
    let b: number;
    let wa: number;
    let wb: number;
    if (even) {
      a = b = Math.floor(i / blockSize);
      wa = 1;
      wb = 0;
    } else {
      const mod = (i + 1) % blockSize;
      const frac = mod - Math.floor(mod);
      const int = mod - frac;
      wa = 1 - frac;
      wb = frac;
      if (int > 0 || i + 1 === size) {
        a = b = Math.floor(i / blockSize);
      } else {
        a = Math.floor(i / blockSize);
        b = Math.ceil(i / blockSize);
      }
    }
    first[i] = a;
    second[i] = b;
    w1[i] = wa * bits;
    w2[i] = wb * bits;
  }
  return { first, second, w1, w2 };
}

/**
 * A column run [start, end) whose pixels all go whole to one block (`block` >= 0), or a single
 * column split between two blocks (`block` = -1).
 */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly block: number;
}

function segments(cols: Split, width: number): Segment[] {
  const out: Segment[] = [];
  let x = 0;
  while (x < width) {
    if (cols.first[x] === cols.second[x]) {
      const block = cols.first[x];
      let end = x + 1;
      while (end < width && cols.first[end] === block && cols.second[end] === block) end++;
      out.push({ start: x, end, block });
      x = end;
    } else {
      out.push({ start: x, end: x + 1, block: -1 });
      x++;
    }
  }
  return out;
}

/** r+g+b of one pixel, 765 when fully transparent, grey counted three times (as blockhash-core sees RGBA). */
function valueAt(data: Uint8Array, i: number, channels: number): number {
  switch (channels) {
    case 3:
      return data[i] + data[i + 1] + data[i + 2];
    case 4:
      return data[i + 3] === 0 ? WHITE : data[i] + data[i + 1] + data[i + 2];
    case 1:
      return 3 * data[i];
    default:
      return data[i + 1] === 0 ? WHITE : 3 * data[i];
  }
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
/** Words summed into 16-bit lanes before they are folded out (a word adds at most 2 * 255 to a lane). */
const WORDS_PER_FOLD = 128;
/** The same for RGBA pixels (a transparent one adds 765 to the low lane). */
const PIXELS_PER_FOLD = 64;
const LANES = 0x00ff00ff;

/**
 * The pixels read as bytes and, where the buffer allows, as 32-bit words (SWAR: four bytes summed
 * per load, two 16-bit lanes per accumulator).
 */
class Reader {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array | null;
  /** Whether every RGBA pixel is one aligned little-endian word (alpha in the top byte). */
  readonly pixelWords: boolean;
  constructor(p: Pixels) {
    const { data } = p;
    this.bytes = new Uint8Array(data.buffer, 0, data.byteOffset + data.length);
    this.words = LITTLE_ENDIAN ? new Uint32Array(data.buffer, 0, (data.byteOffset + data.length) >>> 2) : null;
    this.pixelWords = this.words !== null && p.channels === 4 && data.byteOffset % 4 === 0 && p.stride % 4 === 0;
  }

  /** Sum of the bytes in [from, to), absolute offsets in the buffer. */
  byteSum(from: number, to: number): number {
    const bytes = this.bytes;
    const words = this.words;
    let s = 0;
    let i = from;
    if (words !== null) {
      while (i < to && (i & 3) !== 0) s += bytes[i++];
      let w = i >>> 2;
      const wEnd = to >>> 2;
      while (w < wEnd) {
        const stop = Math.min(wEnd, w + WORDS_PER_FOLD);
        let acc = 0;
        for (; w < stop; w++) {
          const v = words[w];
          acc += (v & LANES) + ((v >>> 8) & LANES);
        }
        s += (acc & 0xffff) + (acc >>> 16);
      }
      i = Math.max(i, wEnd << 2);
    }
    while (i < to) s += bytes[i++];
    return s;
  }

  /** Sum over RGBA pixels in [from, to) of r+g+b, or 765 for a fully transparent one. */
  rgbaSum(from: number, to: number): number {
    let s = 0;
    const words = this.words;
    if (this.pixelWords && words !== null) {
      let w = from >>> 2;
      const wEnd = to >>> 2;
      while (w < wEnd) {
        const stop = Math.min(wEnd, w + PIXELS_PER_FOLD);
        let acc = 0;
        for (; w < stop; w++) {
          const v = words[w];
          // Alpha is the top byte: below 2^24 it is 0. Lanes: r + g low, b high.
          acc += v < 0x1000000 ? WHITE : (v & LANES) + ((v >>> 8) & 0xff);
        }
        s += (acc & 0xffff) + (acc >>> 16);
      }
      return s;
    }
    const bytes = this.bytes;
    for (let i = from; i < to; i += 4) s += bytes[i + 3] === 0 ? WHITE : bytes[i] + bytes[i + 1] + bytes[i + 2];
    return s;
  }

  /** Sum of pixel values over columns [start, end) of the row starting at byte `row` (relative to the pixels). */
  runSum(row: number, start: number, end: number, channels: number, offset: number): number {
    const from = offset + row + start * channels;
    const to = offset + row + end * channels;
    switch (channels) {
      case 3:
        return this.byteSum(from, to);
      case 1:
        return 3 * this.byteSum(from, to);
      case 4:
        return this.rgbaSum(from, to);
      default: {
        let s = 0;
        const bytes = this.bytes;
        for (let i = from; i < to; i += 2) s += bytes[i + 1] === 0 ? WHITE : 3 * bytes[i];
        return s;
      }
    }
  }
}

/**
 * Per row of [y0, y1), the totals of the pixel values of each column run [start, end):
 * `visit(y, totals)` with totals[k] for runs[k], rows in order. The SIMD kernel
 * (blockhash-simd.ts) sums a band of rows at a time where it serves these pixels; the JS reader
 * otherwise. Both are integer sums.
 */
function eachRowTotals(
  p: Pixels,
  runs: readonly Segment[],
  simd: boolean,
  y0: number,
  y1: number,
  visit: (y: number, totals: Float64Array) => void,
): void {
  const totals = new Float64Array(runs.length);
  if (simd && simdRowTotals(p, runs, y0, y1, totals, visit)) return;
  const reader = new Reader(p);
  const { channels, stride, data } = p;
  for (let y = y0; y < y1; y++) {
    const base = y * stride;
    for (let k = 0; k < runs.length; k++) totals[k] = reader.runSum(base, runs[k].start, runs[k].end, channels, data.byteOffset);
    visit(y, totals);
  }
}

/** Rows copied into the kernel's memory per call: a band that stays in a core's L2 cache. */
const BAND_BYTES = 128 * 1024;
/** Longer rows go through the JS reader (an i32 total then holds any run: 255 * 2^22 < 2^31). */
const SIMD_MAX_ROW_BYTES = 2 ** 22;
const WASM_PAGE = 65536;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;
/** Per kernel kind: undefined until first used, null where SIMD is unavailable. */
const kernels: { bytes?: RunKernel | null; rgba?: RunKernel | null } = {};
/** The kernels on other kernels' memories (runKernelOn), per memory and kind. */
const kernelsOn = new WeakMap<WasmMemory, Partial<Record<RunKernelKind, RunKernel>>>();

function kernelFor(kind: RunKernelKind): RunKernel | null {
  let k = kernels[kind];
  if (k === undefined) {
    k = kernels[kind] = instantiateRunKernel(kind);
    if (k) fillMask(k.memory, MASK_AT);
  }
  return k;
}

/** The tail masks (blockhash-simd.ts) at `at`: 16 zero bytes, then 16 of 0xff. */
function fillMask(memory: WasmMemory, at: number): void {
  const mask = new Uint8Array(memory.buffer, at, MASK_BYTES);
  mask.fill(0, 0, MASK_BYTES / 2);
  mask.fill(0xff, MASK_BYTES / 2);
}

/** Whether the SIMD kernel for `kind` is available (instantiating it). */
export function blockhashSimdAvailable(kind: RunKernelKind = 'bytes'): boolean {
  return kernelFor(kind) !== null;
}

/** The kernel kind that sums these pixels' runs, or null where the JS reader does. */
function simdKind(p: Pixels, runs: readonly Segment[]): RunKernelKind | null {
  const { channels, stride } = p;
  if ((channels !== 1 && channels !== 3 && channels !== 4) || stride > SIMD_MAX_ROW_BYTES || runs.length === 0) return null;
  const kind = channels === 4 ? 'rgba' : 'bytes';
  return kernelFor(kind) ? kind : null;
}

/**
 * The kernel's own data in its memory from `at` (16-aligned), for bands of up to `band` rows:
 * the tail masks, the run descriptors and the totals.
 */
function runLayout(at: number, count: number, band: number): { maskAt: number; runsAt: number; outAt: number; end: number } {
  const runsAt = align16(at) + MASK_BYTES;
  const outAt = align16(runsAt + count * RUN_DESC_BYTES);
  return { maskAt: align16(at), runsAt, outAt, end: align16(outAt + band * count * 4) };
}

type RunLayout = ReturnType<typeof runLayout>;

/** Writes the masks and the run descriptors of `layout` into the kernel's memory. */
function writeRuns(memory: WasmMemory, layout: RunLayout, runs: readonly Segment[], channels: number): void {
  fillMask(memory, layout.maskAt);
  const desc = new Int32Array(memory.buffer, layout.runsAt, 2 * runs.length);
  for (let k = 0; k < runs.length; k++) {
    desc[2 * k] = runs[k].start * channels;
    desc[2 * k + 1] = runs[k].end * channels;
  }
}

/** The totals of `rows` rows from row y at pixAt in the kernel's memory, each visited. */
function visitBand(
  kernel: RunKernel,
  layout: RunLayout,
  p: Pixels,
  count: number,
  pixAt: number,
  y: number,
  rows: number,
  totals: Float64Array,
  visit: (y: number, totals: Float64Array) => void,
): void {
  kernel.sums(pixAt, p.stride, rows, layout.runsAt, count, layout.outAt, layout.maskAt);
  const out = new Uint32Array(kernel.memory.buffer, layout.outAt, rows * count);
  // Grey is one byte a pixel, counted three times as blockhash-core sees it spread to RGB.
  const scale = p.channels === 1 ? 3 : 1;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < count; k++) totals[k] = out[r * count + k] * scale;
    visit(y + r, totals);
  }
}

/** eachRowTotals through the SIMD kernel: grey, RGB and RGBA rows up to SIMD_MAX_ROW_BYTES. False where it does not serve. */
function simdRowTotals(
  p: Pixels,
  runs: readonly Segment[],
  y0: number,
  y1: number,
  totals: Float64Array,
  visit: (y: number, totals: Float64Array) => void,
): boolean {
  const kind = simdKind(p, runs);
  if (!kind) return false;
  const kernel = kernelFor(kind)!;
  const { data, stride } = p;
  const count = runs.length;
  const band = Math.max(1, Math.floor(BAND_BYTES / (stride + 4 * count)));
  const layout = runLayout(MASK_AT, count, band);
  const pixAt = layout.end;
  const need = pixAt + band * stride;
  const { memory } = kernel;
  if (memory.buffer.byteLength < need) {
    try {
      memory.grow(Math.ceil((need - memory.buffer.byteLength) / WASM_PAGE));
    } catch {
      return false;
    }
  }
  writeRuns(memory, layout, runs, p.channels);
  const heap = new Uint8Array(memory.buffer);
  for (let y = y0; y < y1; y += band) {
    const rows = Math.min(band, y1 - y);
    heap.set(data.subarray(y * stride, Math.min((y + rows) * stride, data.length)), pixAt);
    visitBand(kernel, layout, p, count, pixAt, y, rows, totals, visit);
  }
  return true;
}

/** Block sums taken band by band: `rows(y0, y1)` for consecutive bands from row 0 to the last, then `finish()`. */
export interface BlockSumsPass {
  rows(y0: number, y1: number): void;
  finish(): BlockSums;
  /** Where the SIMD kernel serves: reads each band from another kernel's copy instead of its own (see BandReader). */
  readonly bandReader?: BandReader;
}

/**
 * `rows` of a pass over `runs` (rows from `last` on are skipped): each band through
 * eachRowTotals, or once a band reader is attached, from the band its host copied.
 */
function runRows(
  p: Pixels,
  runs: readonly Segment[],
  simd: boolean,
  visit: (y: number, totals: Float64Array) => void,
  last = p.height,
): Pick<BlockSumsPass, 'rows' | 'bandReader'> {
  let shared: ((y0: number, y1: number) => void) | null = null;
  const rows = (y0: number, y1: number): void => {
    const end = Math.min(y1, last);
    if (y0 >= end) return;
    if (shared) shared(y0, end);
    else eachRowTotals(p, runs, simd, y0, end, visit);
  };
  const kind = simd ? simdKind(p, runs) : null;
  if (!kind) return { rows };
  const count = runs.length;
  const totals = new Float64Array(count);
  const bandReader: BandReader = {
    scratchBytes: (maxRows) => runLayout(0, count, maxRows).end + 16,
    attach: (memory, pixAt, scratchAt, maxRows) => {
      const kernel = kernelOn(kind, memory);
      const layout = runLayout(scratchAt, count, maxRows);
      writeRuns(memory, layout, runs, p.channels);
      shared = (y0, y1) => visitBand(kernel, layout, p, count, pixAt, y0, y1 - y0, totals, visit);
      return true;
    },
  };
  return { rows, bandReader };
}

function kernelOn(kind: RunKernelKind, memory: WasmMemory): RunKernel {
  let byKind = kernelsOn.get(memory);
  if (!byKind) kernelsOn.set(memory, (byKind = {}));
  return (byKind[kind] ??= runKernelOn(kind, memory));
}

function precisePass(p: Pixels, bits: number, simd: boolean): BlockSumsPass {
  const { data, width, height, channels, stride } = p;
  const cols = split(width, bits);
  const rows = split(height, bits);
  const segs = segments(cols, width);
  const whole = segs.filter((s) => s.block >= 0);
  const scaled = new Float64Array(bits * bits);
  const row = new Float64Array(bits);
  const visit = (y: number, totals: Float64Array): void => {
    row.fill(0);
    const base = y * stride;
    let k = 0;
    for (const s of segs) {
      if (s.block >= 0) {
        row[s.block] += totals[k++] * bits;
      } else {
        const v = valueAt(data, base + s.start * channels, channels);
        row[cols.first[s.start]] += v * cols.w1[s.start];
        row[cols.second[s.start]] += v * cols.w2[s.start];
      }
    }
    const top = rows.first[y] * bits;
    const bottom = rows.second[y] * bits;
    if (top === bottom) {
      for (let j = 0; j < bits; j++) scaled[top + j] += row[j] * bits;
    } else {
      const wt = rows.w1[y];
      const wb = rows.w2[y];
      for (let j = 0; j < bits; j++) {
        scaled[top + j] += row[j] * wt;
        scaled[bottom + j] += row[j] * wb;
      }
    }
  };
  return {
    ...runRows(p, whole, simd, visit),
    finish: () => {
      const scale = bits * bits;
      for (let i = 0; i < scaled.length; i++) scaled[i] /= scale;
      return { sums: scaled, pixelsPerBlock: (width / bits) * (height / bits), exact: isPowerOfTwo(bits) };
    },
  };
}

function quickPass(p: Pixels, bits: number, simd: boolean): BlockSumsPass {
  const bx = Math.floor(p.width / bits);
  const by = Math.floor(p.height / bits);
  const sums = new Float64Array(bits * bits);
  const runs = Array.from({ length: bits }, (_, j) => ({ start: j * bx, end: (j + 1) * bx, block: j }));
  const visit = (y: number, totals: Float64Array): void => {
    const out = Math.floor(y / by) * bits;
    for (let j = 0; j < bits; j++) sums[out + j] += totals[j];
  };
  return {
    // Rows past by * bits (the bottom remainder) are ignored, as blockhash-core does.
    ...runRows(p, runs, simd, visit, bx > 0 ? by * bits : 0),
    finish: () => ({ sums, pixelsPerBlock: bx * by, exact: true }),
  };
}

/**
 * Block sums for `method` ("precise" falls back to "quick" when both sides divide evenly, as
 * blockhash-core does), taken band by band. `simd` false keeps to the JS reader (the same totals).
 */
export function blockSumsPass(p: Pixels, bits: number, method: BlockhashMethod, simd = true): BlockSumsPass {
  if (method === 'quick' || (p.width % bits === 0 && p.height % bits === 0)) return quickPass(p, bits, simd);
  return precisePass(p, bits, simd);
}

/** Block totals for `method` in one pass over every row. */
export function blockSums(p: Pixels, bits: number, method: BlockhashMethod, simd = true): BlockSums {
  const pass = blockSumsPass(p, bits, method, simd);
  pass.rows(0, p.height);
  return pass.finish();
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  return n % 2 === 0 ? (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 : sorted[Math.floor(n / 2)];
}

/**
 * blockhash-core's translateBlocksToBits: per horizontal quarter, a block brighter than the
 * quarter's median is a 1; a block within 1 of the median is a 1 when the median is in the upper
 * half of the value range. Packed most significant bit first, as its hex reads.
 */
export function sumsToHash(b: BlockSums): Uint8Array {
  const { sums, pixelsPerBlock } = b;
  const half = (pixelsPerBlock * 256 * 3) / 2;
  const band = sums.length / 4;
  const out = new Uint8Array(sums.length / 8);
  for (let i = 0; i < 4; i++) {
    const m = median(sums.subarray(i * band, (i + 1) * band));
    for (let j = i * band; j < (i + 1) * band; j++) {
      const v = sums[j];
      if (v > m || (Math.abs(v - m) < 1 && m > half)) out[j >> 3] |= 0x80 >> (j & 7);
    }
  }
  return out;
}

/**
 * Mean block values differing from their quarter's median by less than this (of 765: two grey
 * levels in each of R, G and B, more than a re-encode's rounding) count as undecided.
 */
export const BLOCKHASH_QUALITY_CONTRAST = 6;

/**
 * Quality 0..100: the percentage of blocks whose mean value differs from their quarter's median
 * by at least BLOCKHASH_QUALITY_CONTRAST. Their bits are
 * set by the image; the others by the median tie rule or by noise (a flat image scores 0).
 */
export function blockhashQuality(b: BlockSums): number {
  const { sums, pixelsPerBlock } = b;
  if (pixelsPerBlock <= 0) return 0;
  const band = sums.length / 4;
  const step = BLOCKHASH_QUALITY_CONTRAST * pixelsPerBlock;
  let decided = 0;
  for (let i = 0; i < 4; i++) {
    const m = median(sums.subarray(i * band, (i + 1) * band));
    for (let j = i * band; j < (i + 1) * band; j++) if (Math.abs(sums[j] - m) >= step) decided++;
  }
  return Math.floor((100 * decided) / sums.length);
}
