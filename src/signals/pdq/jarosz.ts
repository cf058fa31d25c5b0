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

interface BoxPhases {
  readonly lead: number;
  readonly grow: number;
  readonly full: number;
  readonly tail: number;
}

function boxPhases(length: number, window: number): BoxPhases {
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

/**
 * The last column pass, computed only for the 64 columns decimation reads; each column's running
 * sum follows the reference exactly, then the 64 kept rows are picked into `out64`.
 */
function lastColsPassDecimated(
  input: Float32Array,
  width: number,
  height: number,
  window: number,
  out64: Float32Array,
): void {
  const colIdx = decimationIndices(width);
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
  for (let pass = 0; pass < JAROSZ_PASSES; pass++) {
    boxAlongRows(luma, scratch, width, height, windowAlongRows);
    if (pass < JAROSZ_PASSES - 1) {
      boxAlongCols(scratch, luma, width, height, windowAlongCols, sums);
    } else {
      lastColsPassDecimated(scratch, width, height, windowAlongCols, out64);
    }
  }
  return { windowAlongRows, windowAlongCols };
}
