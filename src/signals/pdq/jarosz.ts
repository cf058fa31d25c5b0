/**
 * Jarosz filter (repeated box blurs) and decimation to 64x64, emulating the reference's float32
 * arithmetic: every add, subtract and divide is rounded to float32 in the reference's order.
 * Storing into a Float32Array rounds; each intermediate is kept in a Float32Array or fround-ed.
 */
const fround = Math.fround;

export const PDQ_DOWNSAMPLE_DIM = 64;
export const JAROSZ_PASSES = 2;

/** Box window for shrinking `oldDim` to `newDim`: ceil(oldDim / (2 * newDim)) in integers. */
export function jaroszWindowSize(oldDim: number, newDim: number = PDQ_DOWNSAMPLE_DIM): number {
  return Math.floor((oldDim + 2 * newDim - 1) / (2 * newDim));
}

/** The reference box pass's four loops: inputs summed before the first output, outputs while the window grows, slides, shrinks. */
export interface BoxPhases {
  readonly lead: number;
  readonly grow: number;
  readonly full: number;
  readonly tail: number;
}

export function boxPhases(length: number, window: number): BoxPhases {
  const half = Math.floor((window + 2) / 2);
  return {
    lead: half - 1,
    grow: window - half + 1,
    full: Math.max(0, length - window),
    tail: half - 1,
  };
}

/**
 * The reference's 1-D box filter over `length` values of `input` from `inBase` every `inStride`,
 * written to `output` from `outBase` every `outStride`: grow the window, slide it, shrink it.
 */
function box1D(
  input: Float32Array,
  inBase: number,
  inStride: number,
  output: Float32Array,
  outBase: number,
  outStride: number,
  p: BoxPhases,
): void {
  let ri = inBase;
  let li = inBase;
  let oi = outBase;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < p.lead; i++, ri += inStride) {
    sum = fround(sum + input[ri]);
    count++;
  }
  for (let i = 0; i < p.grow; i++, ri += inStride, oi += outStride) {
    sum = fround(sum + input[ri]);
    count++;
    output[oi] = sum / count;
  }
  for (let i = 0; i < p.full; i++, ri += inStride, li += inStride, oi += outStride) {
    sum = fround(sum + input[ri]);
    sum = fround(sum - input[li]);
    output[oi] = sum / count;
  }
  for (let i = 0; i < p.tail; i++, li += inStride, oi += outStride) {
    sum = fround(sum - input[li]);
    count--;
    output[oi] = sum / count;
  }
}

/**
 * The same pass on four rows at once (rows a, a+w, a+2w, a+3w): each running sum is a chain of
 * dependent float32 operations, so interleaving four independent chains keeps the CPU busy.
 */
function boxFourRows(input: Float32Array, output: Float32Array, a: number, width: number, p: BoxPhases): void {
  const b = a + width;
  const c = b + width;
  const d = c + width;
  let sa = 0;
  let sb = 0;
  let sc = 0;
  let sd = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < p.lead; i++, ri++) {
    sa = fround(sa + input[a + ri]);
    sb = fround(sb + input[b + ri]);
    sc = fround(sc + input[c + ri]);
    sd = fround(sd + input[d + ri]);
    count++;
  }
  for (let i = 0; i < p.grow; i++, ri++, oi++) {
    sa = fround(sa + input[a + ri]);
    sb = fround(sb + input[b + ri]);
    sc = fround(sc + input[c + ri]);
    sd = fround(sd + input[d + ri]);
    count++;
    output[a + oi] = sa / count;
    output[b + oi] = sb / count;
    output[c + oi] = sc / count;
    output[d + oi] = sd / count;
  }
  for (let i = 0; i < p.full; i++, ri++, li++, oi++) {
    sa = fround(fround(sa + input[a + ri]) - input[a + li]);
    sb = fround(fround(sb + input[b + ri]) - input[b + li]);
    sc = fround(fround(sc + input[c + ri]) - input[c + li]);
    sd = fround(fround(sd + input[d + ri]) - input[d + li]);
    output[a + oi] = sa / count;
    output[b + oi] = sb / count;
    output[c + oi] = sc / count;
    output[d + oi] = sd / count;
  }
  for (let i = 0; i < p.tail; i++, li++, oi++) {
    sa = fround(sa - input[a + li]);
    sb = fround(sb - input[b + li]);
    sc = fround(sc - input[c + li]);
    sd = fround(sd - input[d + li]);
    count--;
    output[a + oi] = sa / count;
    output[b + oi] = sb / count;
    output[c + oi] = sc / count;
    output[d + oi] = sd / count;
  }
}

/** One box pass along each row of a width x height plane, `input` -> `output`. */
function boxAlongRows(input: Float32Array, output: Float32Array, width: number, height: number, window: number): void {
  const phases = boxPhases(width, window);
  let y = 0;
  for (; y + 4 <= height; y += 4) boxFourRows(input, output, y * width, width, phases);
  for (; y < height; y++) box1D(input, y * width, 1, output, y * width, 1, phases);
}

/**
 * One box pass down every column. Columns are processed side by side, one row at a time, with a
 * running float32 sum per column: the same operations per column as the reference, in cache order.
 */
function boxAlongCols(
  input: Float32Array,
  output: Float32Array,
  width: number,
  height: number,
  window: number,
  sums: Float32Array,
): void {
  const { lead, grow, full, tail } = boxPhases(height, window);
  sums.fill(0, 0, width);
  let ri = 0;
  let li = 0;
  let oi = 0;
  let count = 0;
  for (let i = 0; i < lead; i++, ri += width) {
    for (let x = 0; x < width; x++) sums[x] += input[ri + x];
    count++;
  }
  for (let i = 0; i < grow; i++, ri += width, oi += width) {
    count++;
    for (let x = 0; x < width; x++) {
      sums[x] += input[ri + x];
      output[oi + x] = sums[x] / count;
    }
  }
  for (let i = 0; i < full; i++, ri += width, li += width, oi += width) {
    for (let x = 0; x < width; x++) {
      sums[x] += input[ri + x];
      sums[x] -= input[li + x];
      output[oi + x] = sums[x] / count;
    }
  }
  for (let i = 0; i < tail; i++, li += width, oi += width) {
    count--;
    for (let x = 0; x < width; x++) {
      sums[x] -= input[li + x];
      output[oi + x] = sums[x] / count;
    }
  }
}

/** Source index of each of the 64 decimated samples: floor((i + 0.5) * dim / 64). */
export function decimationIndices(dim: number): Int32Array {
  const idx = new Int32Array(PDQ_DOWNSAMPLE_DIM);
  for (let i = 0; i < PDQ_DOWNSAMPLE_DIM; i++) idx[i] = Math.floor(((i + 0.5) * dim) / PDQ_DOWNSAMPLE_DIM);
  return idx;
}

/** Divisor of each output of a box pass: how many values its window holds. */
function boxCounts(p: BoxPhases, length: number): Float32Array {
  const counts = new Float32Array(length);
  let o = 0;
  for (let i = 0; i < p.grow; i++) counts[o++] = p.lead + 1 + i;
  for (let i = 0; i < p.full; i++) counts[o++] = p.lead + p.grow;
  for (let i = 0; i < p.tail; i++) counts[o++] = p.lead + p.grow - 1 - i;
  return counts;
}

/**
 * The running sums of the box pass over `rows` (1-4) rows from a (a, a+w, ...) into rows 0-3 of
 * `sums` (width each; a missing row repeats row a): the reference's additions and subtractions,
 * its divisions left to the caller.
 */
function boxSumsFourRows(input: Float32Array, sums: Float32Array, a: number, width: number, rows: number, p: BoxPhases): void {
  const b = a + (rows > 1 ? width : 0);
  const c = a + (rows > 2 ? 2 * width : 0);
  const d = a + (rows > 3 ? 3 * width : 0);
  const sb = width;
  const sc = 2 * width;
  const sd = 3 * width;
  let xa = 0;
  let xb = 0;
  let xc = 0;
  let xd = 0;
  let ri = 0;
  let li = 0;
  let oi = 0;
  for (let i = 0; i < p.lead; i++, ri++) {
    xa = fround(xa + input[a + ri]);
    xb = fround(xb + input[b + ri]);
    xc = fround(xc + input[c + ri]);
    xd = fround(xd + input[d + ri]);
  }
  for (let i = 0; i < p.grow; i++, ri++, oi++) {
    sums[oi] = xa = fround(xa + input[a + ri]);
    sums[sb + oi] = xb = fround(xb + input[b + ri]);
    sums[sc + oi] = xc = fround(xc + input[c + ri]);
    sums[sd + oi] = xd = fround(xd + input[d + ri]);
  }
  for (let i = 0; i < p.full; i++, ri++, li++, oi++) {
    sums[oi] = xa = fround(fround(xa + input[a + ri]) - input[a + li]);
    sums[sb + oi] = xb = fround(fround(xb + input[b + ri]) - input[b + li]);
    sums[sc + oi] = xc = fround(fround(xc + input[c + ri]) - input[c + li]);
    sums[sd + oi] = xd = fround(fround(xd + input[d + ri]) - input[d + li]);
  }
  for (let i = 0; i < p.tail; i++, li++, oi++) {
    sums[oi] = xa = fround(xa - input[a + li]);
    sums[sb + oi] = xb = fround(xb - input[b + li]);
    sums[sc + oi] = xc = fround(xc - input[c + li]);
    sums[sd + oi] = xd = fround(xd - input[d + li]);
  }
}

/**
 * The last row pass, its outputs kept only at the 64 columns decimation reads: `out` (height x
 * 64) gets row y's output at column colIdx[c] in out[y * 64 + c], the reference's sum / count.
 * Running sums still walk every column (each depends on all the roundings before it).
 */
export function boxAlongRowsSampled(input: Float32Array, out: Float32Array, width: number, height: number, window: number): void {
  const p = boxPhases(width, window);
  const counts = boxCounts(p, width);
  const colIdx = decimationIndices(width);
  const sums = new Float32Array(4 * width);
  for (let y = 0; y < height; y += 4) {
    const rows = Math.min(4, height - y);
    boxSumsFourRows(input, sums, y * width, width, rows, p);
    for (let r = 0; r < rows; r++) {
      const o = (y + r) * PDQ_DOWNSAMPLE_DIM;
      for (let c = 0; c < PDQ_DOWNSAMPLE_DIM; c++) out[o + c] = sums[r * width + colIdx[c]] / counts[colIdx[c]];
    }
  }
}

/** 0, 1, ..., 63: the column indices of a plane already reduced to its kept columns. */
export const KEPT_COLUMNS = Int32Array.from({ length: PDQ_DOWNSAMPLE_DIM }, (_, i) => i);

/**
 * The last column pass, computed only for the 64 columns decimation reads (colIdx, by default
 * those of `width`; KEPT_COLUMNS for a height x 64 plane); each column's running sum follows the
 * reference exactly, then the 64 kept rows are picked into `out64`.
 */
export function lastColsPassDecimated(
  input: Float32Array,
  width: number,
  height: number,
  window: number,
  out64: Float32Array,
  colIdx: Int32Array = decimationIndices(width),
): void {
  const rowIdx = decimationIndices(height);
  const column = new Float32Array(height);
  const phases = boxPhases(height, window);
  for (let c = 0; c < PDQ_DOWNSAMPLE_DIM; c++) {
    box1D(input, colIdx[c], width, column, 0, 1, phases);
    for (let r = 0; r < PDQ_DOWNSAMPLE_DIM; r++) out64[r * PDQ_DOWNSAMPLE_DIM + c] = column[rowIdx[r]];
  }
}

/**
 * Blur `luma` (width x height, row-major; overwritten) with the Jarosz filter and decimate to the
 * 64x64 buffer `out64`. `scratch` must hold width * height floats.
 */
export function jaroszDecimate(
  luma: Float32Array,
  scratch: Float32Array,
  width: number,
  height: number,
  out64: Float32Array,
): { windowAlongRows: number; windowAlongCols: number } {
  const windowAlongRows = jaroszWindowSize(width);
  const windowAlongCols = jaroszWindowSize(height);
  const sums = new Float32Array(width);
  for (let pass = 0; pass < JAROSZ_PASSES - 1; pass++) {
    boxAlongRows(luma, scratch, width, height, windowAlongRows);
    boxAlongCols(scratch, luma, width, height, windowAlongCols, sums);
  }
  const keptCount = height * PDQ_DOWNSAMPLE_DIM;
  const kept = scratch.length >= keptCount ? scratch.subarray(0, keptCount) : new Float32Array(keptCount);
  boxAlongRowsSampled(luma, kept, width, height, windowAlongRows);
  lastColsPassDecimated(kept, PDQ_DOWNSAMPLE_DIM, height, windowAlongCols, out64, KEPT_COLUMNS);
  return { windowAlongRows, windowAlongCols };
}
