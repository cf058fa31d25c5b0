/**
 * A test oracle: the reference C++ per-frame filter (pdq/cpp downscaling.cpp) transcribed as
 * plainly as possible — float32 luma, full box passes along rows then columns twice, then
 * decimation — for checking the optimised paths of src/signals/pdq/ bit for bit.
 */
import type { Pixels } from '../../src/signals/types.js';

const f = Math.fround;

/** box1DFloat: one strided 1-D box filter, its four phases as in the C++. */
function box1D(input: Float32Array, inAt: number, output: Float32Array, outAt: number, length: number, stride: number, window: number): void {
  const half = Math.trunc((window + 2) / 2);
  const phase1 = half - 1;
  const phase2 = window - half + 1;
  const phase3 = length - window;
  const phase4 = half - 1;
  let li = inAt;
  let ri = inAt;
  let oi = outAt;
  let sum = 0;
  let size = 0;
  for (let i = 0; i < phase1; i++) {
    sum = f(sum + input[ri]);
    size = f(size + 1);
    ri += stride;
  }
  for (let i = 0; i < phase2; i++) {
    sum = f(sum + input[ri]);
    size = f(size + 1);
    output[oi] = f(sum / size);
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < phase3; i++) {
    sum = f(sum + input[ri]);
    sum = f(sum - input[li]);
    output[oi] = f(sum / size);
    li += stride;
    ri += stride;
    oi += stride;
  }
  for (let i = 0; i < phase4; i++) {
    sum = f(sum - input[li]);
    size = f(size - 1);
    output[oi] = f(sum / size);
    li += stride;
    oi += stride;
  }
}

/** The reference's 64x64 buffer for RGB(A) pixels: luma 0.299f R + 0.587f G + 0.114f B, Jarosz (2 passes), decimation. */
export function referenceBuffer64(pixels: Pixels): Float32Array {
  const { data, width, height, channels, stride } = pixels;
  const a = new Float32Array(width * height);
  const b = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * stride + x * channels;
      a[y * width + x] = f(f(f(f(0.299) * data[p]) + f(f(0.587) * data[p + 1])) + f(f(0.114) * data[p + 2]));
    }
  }
  const windowAlongRows = Math.trunc((width + 2 * 64 - 1) / (2 * 64));
  const windowAlongCols = Math.trunc((height + 2 * 64 - 1) / (2 * 64));
  for (let pass = 0; pass < 2; pass++) {
    for (let y = 0; y < height; y++) box1D(a, y * width, b, y * width, width, 1, windowAlongRows);
    for (let x = 0; x < width; x++) box1D(b, x, a, x, height, width, windowAlongCols);
  }
  const out = new Float32Array(64 * 64);
  for (let i = 0; i < 64; i++) {
    const ini = Math.trunc(((i + 0.5) * height) / 64);
    for (let j = 0; j < 64; j++) {
      const inj = Math.trunc(((j + 0.5) * width) / 64);
      out[i * 64 + j] = a[ini * width + inj];
    }
  }
  return out;
}
