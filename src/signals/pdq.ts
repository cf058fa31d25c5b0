/**
 * PDQ (Meta's perceptual hash, 256 bits): a TypeScript port of the reference C++ core, bit-exact
 * on the same pixels. Pixels -> float32 luma -> Jarosz box filter -> 64x64 -> 16x16 DCT ->
 * threshold at the median. Pipelines (HashOptions.pdqPipeline):
 *  - fullres: every decoded pixel is hashed (python-threatexchange / HMA hash this way);
 *  - cpp:     images over 512 px on a side are first resampled to 512x512 by nearest neighbour,
 *             like the reference command-line tool;
 *  - fast:    the decoder may shrink the image (shorter side >= PDQ_FAST_MIN_SIDE) before hashing,
 *             and the Jarosz filter is evaluated only at the 64x64 samples it keeps, in float64
 *             (pdq/separable.ts; on the same pixels within float32 rounding of fullres: 0 bits
 *             apart on every conformance image and fixture, src/signals/pdq-separable.test.ts).
 */
import { invalidParameterError } from '../errors.js';
import { formatHex, hammingBytes, parseHex } from './hex.js';
import { computePdq, computePdqFast, computePdqFastPass, dihedralHashes, type PdqComputed } from './pdq/pipeline.js';
import type { HashOptions, PerceptualResult, PerceptualSignalType, Pixels, RowPass } from './types.js';

export const PDQ_BITS = 256;
export const PDQ_MATCH_THRESHOLD = 31;
export const PDQ_MIN_QUALITY = 50;
/**
 * Shorter side the fast pipeline lets the decoder shrink to, at least (chosen by measurement,
 * docs/pdq.md): a 4032x3024 JPEG still decodes at libjpeg's 1/4 scale (to 806x604).
 */
export const PDQ_FAST_MIN_SIDE = 600;

/** Throws a UsageError unless `pixels` describes a buffer that really holds the image. */
export function assertPixels(pixels: Pixels): void {
  const { data, width, height, channels, stride } = pixels;
  if (!(data instanceof Uint8Array)) throw invalidParameterError('pixels.data', 'Uint8Array', data);
  if (!Number.isInteger(width) || width < 1) throw invalidParameterError('pixels.width', 'positive integer', width);
  if (!Number.isInteger(height) || height < 1) throw invalidParameterError('pixels.height', 'positive integer', height);
  if (![1, 2, 3, 4].includes(channels)) throw invalidParameterError('pixels.channels', 'one of 1, 2, 3, 4', channels);
  if (!Number.isInteger(stride) || stride < width * channels) {
    throw invalidParameterError('pixels.stride', `integer >= width * channels (${width * channels})`, stride);
  }
  const needed = stride * (height - 1) + width * channels;
  if (data.length < needed) throw invalidParameterError('pixels.data.length', `at least ${needed}`, data.length);
}

function result(r: PdqComputed, options: HashOptions): PerceptualResult {
  if (!options.dihedral) return { hash: r.hash, quality: r.quality };
  return { hash: r.hash, quality: r.quality, dihedral: dihedralHashes(r.dct16) };
}

function fromPixels(pixels: Pixels, options: HashOptions): PerceptualResult {
  assertPixels(pixels);
  return result(options.pdqPipeline === 'fast' ? computePdqFast(pixels) : computePdq(pixels, options.pdqPipeline === 'cpp'), options);
}

/** The fast pipeline band by band where its SIMD filter serves the pixels (RGB or RGBA, 64 px or more a side). */
function rowPass(pixels: Pixels, options: HashOptions): RowPass | null {
  assertPixels(pixels);
  const pass = options.pdqPipeline === 'fast' ? computePdqFastPass(pixels) : null;
  return pass && { rows: pass.rows, shareBands: pass.shareBands, finish: () => result(pass.finish(), options) };
}

export const pdq: PerceptualSignalType = Object.freeze({
  name: 'pdq',
  kind: 'perceptual' as const,
  bits: PDQ_BITS,
  defaultThreshold: PDQ_MATCH_THRESHOLD,
  minQuality: PDQ_MIN_QUALITY,
  supportsDihedral: true,
  description: "Meta's PDQ perceptual hash, 256 bits",
  parse: (hex: string) => parseHex(hex, PDQ_BITS, 'pdq'),
  format: formatHex,
  distance: hammingBytes,
  minDecodeSide: (options: HashOptions) => (options.pdqPipeline === 'fast' ? PDQ_FAST_MIN_SIDE : null),
  readsAlpha: false,
  fromPixels,
  rowPass,
});
