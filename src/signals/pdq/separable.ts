/**
 * The `fast` pipeline's Jarosz filter: the same operator as jarosz.ts, computed only where the
 * 64x64 decimation samples it. The two box passes (JAROSZ_PASSES) along an axis are one linear filter per kept
 * sample (a trapezoid of about 2 * window taps), and rows and columns are independent, so
 * each image row is reduced to its 64 kept columns as its luma is computed (about one
 * multiply-add per pixel), then the 64 kept rows are formed from those.
 * Arithmetic is float64 rather than the reference's running float32 sums, so the buffer differs
 * from fullres by float32 rounding only (bits measured in src/signals/pdq-separable.test.ts).
 */
import type { BandReader, Pixels } from '../types.js';
import { LUMA_B, LUMA_G, LUMA_R } from './luma.js';
import { decimationIndices, jaroszWindowSize, PDQ_DOWNSAMPLE_DIM } from './jarosz.js';
import { type BytesPerPixel, instantiateFilter, type FilterKernel, TAP_DESC_BYTES, WORDS_PER_GROUP } from './simd.js';
import { instantiateIntegerFilter, PIXELS_PER_STEP, STEP_COUNT_BYTES } from './simd-int.js';

const DIM = PDQ_DOWNSAMPLE_DIM;
/** Luma weights in 22-bit fixed point (255 * 2^22 * 1 fits an int32; weight error < 3e-8 of each). */
const FIXED_BITS = 22;
const FIXED_SCALE = 2 ** -FIXED_BITS;
const FIXED_R = Math.round(LUMA_R * 2 ** FIXED_BITS);
const FIXED_G = Math.round(LUMA_G * 2 ** FIXED_BITS);
const FIXED_B = Math.round(LUMA_B * 2 ** FIXED_BITS);

/** The taps of one kept sample s: weights[s * span + k] for input index starts[s] + k, k < lengths[s]. */
export interface SampleTaps {
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  readonly weights: Float64Array;
  readonly span: number;
}

/** Input window [lo, hi] of each output of the reference box pass over `length` values. */
export function boxWindows(length: number, window: number): { lo: Int32Array; hi: Int32Array } {
  const half = Math.floor((window + 2) / 2);
  const lead = half - 1;
  const grow = window - half + 1;
  const full = Math.max(0, length - window);
  const tail = half - 1;
  const lo = new Int32Array(length);
  const hi = new Int32Array(length);
  let l = 0;
  let h = lead - 1;
  let o = 0;
  const emit = (): void => {
    lo[o] = l;
    hi[o] = h;
    o++;
  };
  for (let i = 0; i < grow; i++) {
    h++;
    emit();
  }
  for (let i = 0; i < full; i++) {
    h++;
    l++;
    emit();
  }
  for (let i = 0; i < tail; i++) {
    l++;
    emit();
  }
  return { lo, hi };
}

/**
 * Weights of the two box passes along one axis of `length` values (the same window), at the 64
 * decimated positions: the exact linear operator of the reference, in float64. Windows only
 * grow to the right, so sample t reads inputs lo[lo[t]] .. hi[hi[t]].
 */
export function sampleTaps(length: number, window: number): SampleTaps {
  const { lo, hi } = boxWindows(length, window);
  const at = decimationIndices(length);
  const starts = new Int32Array(DIM);
  const lengths = new Int32Array(DIM);
  let span = 1;
  for (let s = 0; s < DIM; s++) {
    const t = at[s];
    starts[s] = lo[lo[t]];
    lengths[s] = hi[hi[t]] - starts[s] + 1;
    span = Math.max(span, lengths[s]);
  }
  const weights = new Float64Array(DIM * span);
  for (let s = 0; s < DIM; s++) {
    const t = at[s];
    const outer = 1 / (hi[t] - lo[t] + 1);
    const row = s * span - starts[s];
    for (let k = lo[t]; k <= hi[t]; k++) {
      const share = outer / (hi[k] - lo[k] + 1);
      for (let j = lo[k]; j <= hi[k]; j++) weights[row + j] += share;
    }
  }
  return { starts, lengths, weights, span };
}

/**
 * The same taps as integers: weights[s * span + k] = counts[s * span + k] / denominators[s]
 * exactly. Each count is how many second-pass windows read the input, weighed by the common
 * multiple of their sizes (every window holds `window` values but near the ends, where one
 * sample may also read a window one shorter). Null when a count exceeds an i16 or a row sum of
 * one channel (255 times a denominator) an i32: the integer kernel does not serve those widths.
 */
export interface IntegerTaps {
  readonly starts: Int32Array;
  readonly lengths: Int32Array;
  readonly counts: Int32Array;
  readonly denominators: Float64Array;
  readonly span: number;
}

const I16_MAX = 0x7fff;
const I32_MAX = 0x7fffffff;
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function integerTaps(length: number, window: number): IntegerTaps | null {
  const { lo, hi } = boxWindows(length, window);
  const at = decimationIndices(length);
  const { starts, lengths, span } = sampleTaps(length, window);
  const counts = new Int32Array(DIM * span);
  const denominators = new Float64Array(DIM);
  for (let s = 0; s < DIM; s++) {
    const t = at[s];
    let multiple = 1;
    for (let k = lo[t]; k <= hi[t]; k++) {
      const n = hi[k] - lo[k] + 1;
      multiple = (multiple / gcd(multiple, n)) * n;
    }
    denominators[s] = (hi[t] - lo[t] + 1) * multiple;
    if (255 * denominators[s] > I32_MAX) return null;
    const row = s * span - starts[s];
    for (let k = lo[t]; k <= hi[t]; k++) {
      const share = multiple / (hi[k] - lo[k] + 1);
      for (let j = lo[k]; j <= hi[k]; j++) counts[row + j] += share;
    }
  }
  return counts.every((c) => c <= I16_MAX) ? { starts, lengths, counts, denominators, span } : null;
}

const TAPS_CACHE_SIZE = 8;
const tapsCache = new Map<string, SampleTaps>();

function cachedTaps(length: number): SampleTaps {
  const window = jaroszWindowSize(length);
  const key = `${length}/${window}`;
  let taps = tapsCache.get(key);
  if (!taps) {
    taps = sampleTaps(length, window);
    if (tapsCache.size >= TAPS_CACHE_SIZE) tapsCache.delete(tapsCache.keys().next().value!);
    tapsCache.set(key, taps);
  }
  return taps;
}

const integerTapsCache = new Map<number, IntegerTaps | null>();

function cachedIntegerTaps(length: number): IntegerTaps | null {
  let taps = integerTapsCache.get(length);
  if (taps === undefined) {
    taps = integerTaps(length, jaroszWindowSize(length));
    if (integerTapsCache.size >= TAPS_CACHE_SIZE) integerTapsCache.delete(integerTapsCache.keys().next().value!);
    integerTapsCache.set(length, taps);
  }
  return taps;
}

let lumaRow = new Float64Array(0);
let rowsByCol = new Float64Array(0);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** RGBA pixels readable as one little-endian 32-bit word each (sharp's output always is). */
function rgbaWords(pixels: Pixels): Uint32Array | null {
  const { data, channels, stride } = pixels;
  if (!LITTLE_ENDIAN || channels !== 4 || stride % 4 !== 0 || data.byteOffset % 4 !== 0) return null;
  return new Uint32Array(data.buffer, data.byteOffset, data.length >> 2);
}

/** Luma of one little-endian RGBA word, in FIXED_BITS fixed point (written out in the hot loop: V8 did not inline it there). */
const lumaFixed = (v: number): number => FIXED_R * (v & 0xff) + FIXED_G * ((v >>> 8) & 0xff) + FIXED_B * ((v >>> 16) & 0xff);

/**
 * Each row reduced to its 64 kept columns, luma computed only for pixels with a non-zero tap.
 * Two rows at a time share each weight load and the loop overhead (same sums).
 */
function rowsFromWords(words: Uint32Array, rowWords: number, height: number, taps: SampleTaps, mid: Float64Array): void {
  const { starts, lengths, weights, span } = taps;
  let y = 0;
  for (; y + 1 < height; y += 2) {
    const base = y * rowWords;
    const o = y * DIM;
    for (let s = 0; s < DIM; s++) {
      const w0 = s * span;
      const p0 = base + starts[s];
      const p1 = p0 + rowWords;
      const n = lengths[s];
      let a = 0;
      let b = 0;
      for (let k = 0; k < n; k++) {
        const w = weights[w0 + k];
        const u = words[p0 + k];
        const v = words[p1 + k];
        a += w * (FIXED_R * (u & 0xff) + FIXED_G * ((u >>> 8) & 0xff) + FIXED_B * ((u >>> 16) & 0xff));
        b += w * (FIXED_R * (v & 0xff) + FIXED_G * ((v >>> 8) & 0xff) + FIXED_B * ((v >>> 16) & 0xff));
      }
      mid[o + s] = a * FIXED_SCALE;
      mid[o + DIM + s] = b * FIXED_SCALE;
    }
  }
  for (; y < height; y++) {
    const p = y * rowWords;
    for (let s = 0; s < DIM; s++) {
      const w0 = s * span;
      const p0 = p + starts[s];
      let a = 0;
      for (let k = 0; k < lengths[s]; k++) a += weights[w0 + k] * lumaFixed(words[p0 + k]);
      mid[y * DIM + s] = a * FIXED_SCALE;
    }
  }
}

/** The same for any channel count and stride, through a luma row. */
function rowsFromBytes(pixels: Pixels, grey: boolean, taps: SampleTaps, mid: Float64Array): void {
  const { data, width, height, channels, stride } = pixels;
  if (lumaRow.length < width) lumaRow = new Float64Array(width);
  const luma = lumaRow;
  const { starts, lengths, weights, span } = taps;
  for (let y = 0; y < height; y++) {
    let p = y * stride;
    if (grey) {
      for (let x = 0; x < width; x++, p += channels) luma[x] = data[p];
    } else {
      for (let x = 0; x < width; x++, p += channels) {
        luma[x] = FIXED_SCALE * (FIXED_R * data[p] + FIXED_G * data[p + 1] + FIXED_B * data[p + 2]);
      }
    }
    const o = y * DIM;
    for (let s = 0; s < DIM; s++) {
      const w0 = s * span;
      const x0 = starts[s];
      const n = lengths[s];
      let acc = 0;
      for (let k = 0; k < n; k++) acc += weights[w0 + k] * luma[x0 + k];
      mid[o + s] = acc;
    }
  }
}

const WASM_PAGE = 65536;
/** Beyond this the JS loop runs rather than growing the kernel's memory (about 128 MP of RGBA). */
const SIMD_MAX_BYTES = 512 * 2 ** 20;
/** Rows copied into the kernel's memory per call: a band that stays in a core's L2 cache. */
const BAND_BYTES = 128 * 1024;
/** A kernel and the tap tables its memory holds (their byte offsets depend on the pixel size). */
interface KernelState {
  readonly kernel: FilterKernel;
  taps: [SampleTaps | IntegerTaps | null, SampleTaps | null];
}
/**
 * Which SIMD row pass: `integer` (simd-int.ts, exact integer row sums) or `float64` (simd.ts).
 * Both share the float64 column pass.
 */
export type RowKernel = 'integer' | 'float64';
/** Per kernel and bytes per pixel: undefined until first used, null where SIMD is unavailable. */
const kernels: Record<RowKernel, { 3?: KernelState | null; 4?: KernelState | null }> = { integer: {}, float64: {} };

/** The SIMD kernel for pixels of `bytesPerPixel`, instantiated on first use, once per thread. */
function kernelFor(bytesPerPixel: BytesPerPixel, which: RowKernel = 'float64'): KernelState | null {
  let state = kernels[which][bytesPerPixel];
  if (state === undefined) {
    const kernel = (which === 'integer' ? instantiateIntegerFilter : instantiateFilter)(FIXED_R, FIXED_G, FIXED_B, bytesPerPixel);
    state = kernels[which][bytesPerPixel] = kernel && { kernel, taps: [null, null] };
  }
  return state;
}

/** Whether the SIMD kernel for RGB (3) or RGBA (4) pixels is available (instantiating it). */
export function simdAvailable(bytesPerPixel: BytesPerPixel = 4, which: RowKernel = 'float64'): boolean {
  return kernelFor(bytesPerPixel, which) !== null;
}

/** The integer kernel's row table (layout in simd-int.ts), as tapTable does for the float64 one. */
function integerTapTable(memory: ArrayBuffer | null, at: number, taps: IntegerTaps, bytesPerPixel: number): number {
  const { counts, lengths, span } = taps;
  return descTable(memory, at, taps, bytesPerPixel, PIXELS_PER_STEP, STEP_COUNT_BYTES, (buffer, s, w, steps) => {
    const padded = new Int16Array(steps * PIXELS_PER_STEP);
    padded.set(counts.subarray(s * span, s * span + lengths[s]));
    const table = new Int16Array(buffer, w, (steps * STEP_COUNT_BYTES) / 2);
    for (let i = 0; i < steps; i++) {
      const c = padded.subarray(i * 8, i * 8 + 8);
      table.set([...c.subarray(0, 4), ...c.subarray(0, 4), ...c.subarray(4), ...c.subarray(4), ...c], i * 24);
    }
  });
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * A tap table of the kernel at `at`: per kept sample, the byte offset of its first input
 * (`starts * step`), its count of `group`-tap groups and the address of its weights (times
 * `scale`, zero-padded to whole groups). Returns the table's end, or only computes it when `memory` is null.
 */
function tapTable(memory: ArrayBuffer | null, at: number, taps: SampleTaps, step: number, group: number, scale: number): number {
  const { lengths, weights, span } = taps;
  return descTable(memory, at, taps, step, group, group * 8, (buffer, s, w, groups) => {
    const table = new Float64Array(buffer, w, groups * group);
    for (let k = 0; k < lengths[s]; k++) table[k] = weights[s * span + k] * scale;
    table.fill(0, lengths[s]);
  });
}

/**
 * The layout both kernels' tables share: DIM descriptors (first input's byte offset, group count,
 * block address) at `at`, then each sample's block of groups of `perGroup` taps, `groupBytes` a
 * group, written by `fill`. Returns the table's end, or only computes it when `memory` is null.
 */
function descTable(
  memory: ArrayBuffer | null,
  at: number,
  taps: { readonly starts: Int32Array; readonly lengths: Int32Array },
  step: number,
  perGroup: number,
  groupBytes: number,
  fill: (memory: ArrayBuffer, sample: number, blockAt: number, groups: number) => void,
): number {
  let w = align16(at + DIM * TAP_DESC_BYTES);
  for (let s = 0; s < DIM; s++) {
    const groups = Math.ceil(taps.lengths[s] / perGroup);
    if (memory) {
      new Int32Array(memory, at + s * TAP_DESC_BYTES, 3).set([taps.starts[s] * step, groups, w]);
      fill(memory, s, w, groups);
    }
    w += groups * groupBytes;
  }
  return align16(w);
}

/**
 * The image rows some kept row reads, as [start, end) pairs of maximal runs. A kept row's taps
 * span about 2 * window - 1 rows at a spacing of about 2 * window, so about one row in each
 * spacing is read by none (1 in 12 of a 768-row image): decimateSimd neither copies nor filters
 * those. The row after a run is unread too, so the kernel's pairs may spill into it.
 */
function readRows(taps: SampleTaps, height: number): number[] {
  const read = new Uint8Array(height);
  for (let r = 0; r < DIM; r++) read.fill(1, taps.starts[r], taps.starts[r] + taps.lengths[r]);
  const runs: number[] = [];
  for (let y = 0; y < height; y++) {
    if (read[y] && (y === 0 || !read[y - 1])) runs.push(y);
    if (read[y] && (y === height - 1 || !read[y + 1])) runs.push(y + 1);
  }
  return runs;
}

/**
 * Both passes in the SIMD kernel for RGB or RGBA (the same sums as rowsFromWords and keptRows,
 * the row pass's in another order; RGB and RGBA the same sums in the same order). The bytes of
 * the rows read (readRows) are copied into its memory a band of rows at a time (the band stays
 * in cache for the kernel, and the memory stays small). Rows go in pairs: a band of an odd count
 * of rows (only the last of a run, or of a simdPass `rows` call: `band` is even) has its last
 * pair's second row filtered from whatever the memory holds, into the unread row after the run
 * (readRows), or into the next call's first row, which that call writes again. So the kernel reads
 * rows 0 .. band - 1 of the pixel area, and loads run at most 16 - bytesPerPixel (<= 13) bytes
 * past a row's last pixel (simd.ts), which ends within its stride (width * bytesPerPixel <=
 * stride, any stride): reads end before band * stride + 13, inside the pixel area of
 * stride * (band + 1) + 16 bytes. False where the kernel is unavailable or its memory would
 * exceed SIMD_MAX_BYTES.
 */
function decimateSimd(pixels: Pixels, colTaps: SampleTaps, rowTaps: SampleTaps, out64: Float32Array, prefer: RowKernel): boolean {
  const pass = simdPass(pixels, colTaps, rowTaps, prefer);
  if (!pass) return false;
  pass.rows(0, pixels.height);
  pass.finish(out64);
  return true;
}

/** decimateSimd band by band: `rows(y0, y1)` for consecutive bands from row 0 to the last, then `finish`. */
interface DecimationPass {
  rows(y0: number, y1: number): void;
  finish(out64: Float32Array): void;
  /** RowPass.shareBands: each band copied whole into the kernel's memory, once for it and the readers. */
  shareBands(readers: readonly BandReader[], maxRows: number): BandReader[];
}

/**
 * The kernel's state for one image (see decimateSimd), or null where it does not serve. The
 * kernel's memory is shared by every use on this thread: between `rows` calls no PDQ hash of
 * other pixels may run.
 */
function simdPass(pixels: Pixels, colTaps: SampleTaps, rowTaps: SampleTaps, prefer: RowKernel = 'integer'): DecimationPass | null {
  const bytesPerPixel = pixels.channels;
  if (bytesPerPixel !== 3 && bytesPerPixel !== 4) return null;
  const ints = prefer === 'integer' && kernelFor(bytesPerPixel, 'integer') ? cachedIntegerTaps(pixels.width) : null;
  const state = kernelFor(bytesPerPixel, ints ? 'integer' : 'float64');
  if (!state) return null;
  const { data, height, stride } = pixels;
  const band = Math.max(2, Math.floor(BAND_BYTES / stride / 2) * 2);
  const rowTable = (memory: ArrayBuffer | null): number =>
    ints ? integerTapTable(memory, 0, ints, bytesPerPixel) : tapTable(memory, 0, colTaps, bytesPerPixel, WORDS_PER_GROUP, FIXED_SCALE);
  const rowTableAt = rowTable(null);
  const pixAt = tapTable(null, rowTableAt, rowTaps, DIM * 8, 1, 1);
  const { kernel } = state;
  const { memory } = kernel;
  /** Lays out the memory for bands of up to `bandRows` rows and `scratch` bytes after it (at the returned `scratchAt`), or null. */
  const layout = (bandRows: number, scratch: number): { midAt: number; out64At: number; scratchAt: number } | null => {
    const midAt = align16(pixAt + stride * (bandRows + 1) + 32);
    const out64At = midAt + (height + 1) * DIM * 8;
    const scratchAt = out64At + DIM * DIM * 8;
    const need = scratchAt + scratch;
    if (need > SIMD_MAX_BYTES) return null;
    if (memory.buffer.byteLength < need) {
      try {
        memory.grow(Math.ceil((need - memory.buffer.byteLength) / WASM_PAGE));
      } catch {
        return null;
      }
    }
    return { midAt, out64At, scratchAt };
  };
  let at = layout(band, 0);
  if (!at) return null;
  const alongRows = ints ?? colTaps;
  if (state.taps[0] !== alongRows || state.taps[1] !== rowTaps) {
    rowTable(memory.buffer);
    tapTable(memory.buffer, rowTableAt, rowTaps, DIM * 8, 1, 1);
    state.taps = [alongRows, rowTaps];
  }
  const runs = readRows(rowTaps, height);
  const copy = (y: number, rows: number): void => {
    new Uint8Array(memory.buffer).set(data.subarray(y * stride, Math.min((y + rows) * stride, data.length)), pixAt);
  };
  /** Once bands are shared (rows per band, else 0): each band is copied whole, and the kernel filters the rows read from where they sit in it. */
  let shared = 0;
  return {
    rows: (y0, y1) => {
      const { midAt } = at!;
      const filter = (from: number, y: number, rows: number): void => kernel.rows(from, stride, Math.ceil(rows / 2), 0, midAt + y * DIM * 8);
      if (y1 - y0 > shared && shared > 0) throw new RangeError(`a shared band of ${y1 - y0} rows is over the ${shared} laid out`);
      if (shared) copy(y0, y1 - y0);
      for (let i = 0; i < runs.length; i += 2) {
        const start = Math.max(runs[i], y0);
        const end = Math.min(runs[i + 1], y1);
        if (shared) {
          if (start < end) filter(pixAt + (start - y0) * stride, start, end - start);
          continue;
        }
        for (let y = start; y < end; y += band) {
          const rows = Math.min(band, end - y);
          copy(y, rows);
          filter(pixAt, y, rows);
        }
      }
    },
    shareBands: (readers, maxRows) => {
      const bandRows = Math.max(band, maxRows);
      const scratch = readers.map((r) => align16(r.scratchBytes(bandRows)));
      const next = layout(bandRows, scratch.reduce((a, b) => a + b, 0));
      if (!next) return [];
      at = next;
      shared = bandRows;
      let scratchAt = next.scratchAt;
      return readers.filter((r, i) => {
        const ok = r.attach(memory, pixAt, scratchAt, bandRows);
        scratchAt += scratch[i];
        return ok;
      });
    },
    finish: (out64) => {
      const { midAt, out64At } = at!;
      kernel.cols(midAt, rowTableAt, out64At);
      const sums = new Float64Array(memory.buffer, out64At, DIM * DIM);
      if (!ints) return out64.set(sums);
      // The integer rows hold luma times 2^FIXED_BITS times each column's denominator.
      const { denominators } = ints;
      for (let i = 0; i < DIM * DIM; i++) out64[i] = (sums[i] / denominators[i % DIM]) * FIXED_SCALE;
    },
  };
}

/** The 64 kept rows of the height x 64 `mid`, into `out64`. */
function keptRows(mid: Float64Array, taps: SampleTaps, out64: Float32Array): void {
  const { starts, lengths, weights, span } = taps;
  const acc = new Float64Array(DIM);
  for (let r = 0; r < DIM; r++) {
    acc.fill(0);
    for (let k = 0; k < lengths[r]; k++) {
      const w = weights[r * span + k];
      const m = (starts[r] + k) * DIM;
      for (let s = 0; s < DIM; s++) acc[s] += w * mid[m + s];
    }
    out64.set(acc, r * DIM);
  }
}

/**
 * Luma (float64, alpha dropped; `grey` = first channel read as is) of every pixel, filtered and
 * decimated to the 64x64 `out64`. Returns the window sizes, as jaroszDecimate does. RGB and RGBA
 * go through a SIMD kernel (decimateSimd: the integer one where it serves the width, else the
 * float64 one; `simd` names one) unless `simd` is false or none is available; grey (1 or 2
 * channels) through the JS loop.
 */
export function separableDecimate(
  pixels: Pixels,
  grey: boolean,
  out64: Float32Array,
  simd: boolean | RowKernel = true,
): { windowAlongRows: number; windowAlongCols: number } {
  const { width, height } = pixels;
  const colTaps = cachedTaps(width);
  const rowTaps = cachedTaps(height);
  if (grey || !simd || !decimateSimd(pixels, colTaps, rowTaps, out64, simd === true ? 'integer' : simd)) {
    if (rowsByCol.length < height * DIM) rowsByCol = new Float64Array(height * DIM);
    const words = grey ? null : rgbaWords(pixels);
    if (words) rowsFromWords(words, pixels.stride >> 2, height, colTaps, rowsByCol);
    else rowsFromBytes(pixels, grey, colTaps, rowsByCol);
    keptRows(rowsByCol, rowTaps, out64);
  }
  return { windowAlongRows: jaroszWindowSize(width), windowAlongCols: jaroszWindowSize(height) };
}

/**
 * separableDecimate of RGB or RGBA pixels band by band through the SIMD kernel (the same sums), or
 * null where that kernel does not serve them.
 */
export function separablePass(
  pixels: Pixels,
): (Pick<DecimationPass, 'rows' | 'shareBands'> & { finish(out64: Float32Array): { windowAlongRows: number; windowAlongCols: number } }) | null {
  const { width, height } = pixels;
  const pass = pixels.channels < 3 ? null : simdPass(pixels, cachedTaps(width), cachedTaps(height));
  if (!pass) return null;
  return {
    rows: pass.rows,
    shareBands: pass.shareBands,
    finish: (out64) => {
      pass.finish(out64);
      return { windowAlongRows: jaroszWindowSize(width), windowAlongCols: jaroszWindowSize(height) };
    },
  };
}
