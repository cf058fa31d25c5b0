import type { DihedralName, Pixels, RowPass } from '../types.js';
import { DIHEDRAL_NAMES } from '../types.js';
import { dct64To16, dctToHash, dihedralDct, lowerMedian, pdqQuality } from './dct.js';
import { jaroszDecimate, jaroszWindowSize, PDQ_DOWNSAMPLE_DIM } from './jarosz.js';
import { jaroszDecimateLuma } from './jarosz-simd.js';
import { fillLuma, isGrey, type LumaSize } from './luma.js';
import { separableDecimate, separablePass } from './separable.js';

/** The reference C++ tool resamples images over this size on a side to exactly this square. */
export const CPP_PRESIZE = 512;

export interface PdqIntermediates {
  readonly buffer64: Float32Array;
  readonly dct16: Float32Array;
  readonly median: number;
  readonly quality: number;
  readonly hash: Uint8Array;
}

export interface PdqComputed extends PdqIntermediates {
  readonly hashedWidth: number;
  readonly hashedHeight: number;
  readonly windowAlongRows: number;
  readonly windowAlongCols: number;
}

/** The back end from a 64x64 float32 buffer: quality, DCT, median, hash. */
export function hashFromBuffer64(buffer64: Float32Array): PdqIntermediates {
  const dct16 = dct64To16(buffer64);
  const median = lowerMedian(dct16);
  return { buffer64, dct16, median, quality: pdqQuality(buffer64), hash: dctToHash(dct16, median) };
}

export function dihedralHashes(dct16: Float32Array): Record<DihedralName, Uint8Array> {
  const out = {} as Record<DihedralName, Uint8Array>;
  for (const name of DIHEDRAL_NAMES) out[name] = dctToHash(dihedralDct(dct16, name));
  return out;
}

/**
 * Two full-size float planes, kept between calls so a worker hashing many photos does not
 * allocate ~100 MB per 12-megapixel image. Pure from the caller's point of view.
 */
let planeA = new Float32Array(0);
let planeB = new Float32Array(0);
const MAX_CACHED_FLOATS = 16_000_000;

function planes(count: number): [Float32Array, Float32Array] {
  if (count > MAX_CACHED_FLOATS) return [new Float32Array(count), new Float32Array(count)];
  if (planeA.length < count) {
    planeA = new Float32Array(count);
    planeB = new Float32Array(count);
  }
  return [planeA.subarray(0, count), planeB.subarray(0, count)];
}

/** Luma size for a pipeline: `cpp` resamples anything over 512 on a side to 512x512. */
export function hashedSize(width: number, height: number, cppPresize: boolean): LumaSize {
  if (cppPresize && (width > CPP_PRESIZE || height > CPP_PRESIZE)) return { width: CPP_PRESIZE, height: CPP_PRESIZE };
  return { width, height };
}

/**
 * Hash pixels. `cppTool` reproduces the reference command-line tool: 512x512 pre-resize,
 * float32 luma, and an image whose pixels are all grey hashed as the grey image it was decoded from.
 */
export function computePdq(pixels: Pixels, cppTool: boolean): PdqComputed {
  const size = hashedSize(pixels.width, pixels.height, cppTool);
  const [luma, scratch] = planes(size.width * size.height);
  if (cppTool) fillLuma(pixels, size, 'float32', isGrey(pixels), luma);
  else fillLuma(pixels, size, 'float64', pixels.channels < 3, luma);
  const buffer64 = new Float32Array(PDQ_DOWNSAMPLE_DIM * PDQ_DOWNSAMPLE_DIM);
  const windows = jaroszDecimateLuma(luma, size.width, size.height, buffer64)
    ? { windowAlongRows: jaroszWindowSize(size.width), windowAlongCols: jaroszWindowSize(size.height) }
    : jaroszDecimate(luma, scratch, size.width, size.height, buffer64);
  return {
    ...hashFromBuffer64(buffer64),
    hashedWidth: size.width,
    hashedHeight: size.height,
    windowAlongRows: windows.windowAlongRows,
    windowAlongCols: windows.windowAlongCols,
  };
}

/**
 * The `fast` pipeline's back half: the Jarosz filter evaluated only at the 64x64 kept samples
 * (separable.ts). An image under 64 px on a side is enlarged by decimation, its buffer is blocks
 * of equal values whose DCT is mostly rounding noise: it takes the exact path (a fraction of a ms).
 */
export function computePdqFast(pixels: Pixels): PdqComputed {
  if (pixels.width < PDQ_DOWNSAMPLE_DIM || pixels.height < PDQ_DOWNSAMPLE_DIM) return computePdq(pixels, false);
  const buffer64 = new Float32Array(PDQ_DOWNSAMPLE_DIM * PDQ_DOWNSAMPLE_DIM);
  return fastResult(pixels, buffer64, separableDecimate(pixels, pixels.channels < 3, buffer64));
}

function fastResult(pixels: Pixels, buffer64: Float32Array, windows: { windowAlongRows: number; windowAlongCols: number }): PdqComputed {
  return {
    ...hashFromBuffer64(buffer64),
    hashedWidth: pixels.width,
    hashedHeight: pixels.height,
    windowAlongRows: windows.windowAlongRows,
    windowAlongCols: windows.windowAlongCols,
  };
}

/** computePdqFast band by band (rows(y0, y1) for consecutive bands, then finish), or null where it takes another path. */
export function computePdqFastPass(pixels: Pixels): (Pick<RowPass, 'rows' | 'shareBands'> & { finish(): PdqComputed }) | null {
  if (pixels.width < PDQ_DOWNSAMPLE_DIM || pixels.height < PDQ_DOWNSAMPLE_DIM) return null;
  const pass = separablePass(pixels);
  if (!pass) return null;
  return {
    rows: pass.rows,
    shareBands: pass.shareBands,
    finish: () => {
      const buffer64 = new Float32Array(PDQ_DOWNSAMPLE_DIM * PDQ_DOWNSAMPLE_DIM);
      return fastResult(pixels, buffer64, pass.finish(buffer64));
    },
  };
}
