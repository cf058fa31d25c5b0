/**
 * blockhash.io (Yang, Gu and Niu's block mean value hash), bit for bit as `blockhash-core`
 * computes it: block sums in one pass over the decoded pixels (blockhash-sums.ts), blockhash-core
 * itself for sizes whose sums it rounds (see there) and as the reference tests compare against.
 * Method "precise" (`bmvbhash`) with `bits` blocks a side gives a bits*bits-bit hash.
 * Reference quirks kept on purpose: a fully transparent pixel counts as white, partial alpha
 * is ignored. Bits are median-thresholded per horizontal band, so half of them are set and
 * distances between two hashes are almost always even.
 */
import { bmvbhash, bmvbhashEven } from 'blockhash-core';
import { invalidParameterError } from '../errors.js';
import { blockhashQuality, blockSumsPass, sumsToHash, type BlockhashMethod } from './blockhash-sums.js';
import { formatHex, hammingBytes, parseHex } from './hex.js';
import type { BandReader, HashOptions, PerceptualSignalType, Pixels } from './types.js';

export const BLOCKHASH_DEFAULT_BITS = 16;
/** blockhash-core only yields whole hex digits (and sane bands) for sizes that are multiples of 4. */
export const BLOCKHASH_BITS_STEP = 4;
export const BLOCKHASH_MAX_BITS = 64;
/**
 * Largest distance (of 256 bits) that counts as a match: 12. Distances almost always come in
 * steps of 2 (every 1 that flips forces a 0 to flip in the same band). Chosen for few false
 * positives by `hashsieve eval` (docs/eval/eval.json, seed 1): over 1,124,250 unrelated synthetic
 * pairs the closest were 14 bits apart; 24 let 12 pairs through (1.1e-5 per pair), 16 one, 12
 * none (95% upper bound 2.7e-6). At 12 every re-encode, resize, aspect change, blur and sharpen
 * still matches; small rotations and crops mostly do not (docs/eval.md).
 */
export const BLOCKHASH_MATCH_THRESHOLD = 12;

/** The default threshold scaled to another size (same fraction of the bits, rounded to even). */
export function blockhashThreshold(bits: number): number {
  return 2 * Math.round((BLOCKHASH_MATCH_THRESHOLD * bits * bits) / (2 * BLOCKHASH_DEFAULT_BITS ** 2));
}

const OPAQUE = 255;

/** Throws UsageError unless `bits` is a blockhash size this signal accepts. */
export function checkBlockhashBits(bits: unknown): number {
  if (
    typeof bits !== 'number' ||
    !Number.isInteger(bits) ||
    bits < BLOCKHASH_BITS_STEP ||
    bits > BLOCKHASH_MAX_BITS ||
    bits % BLOCKHASH_BITS_STEP !== 0
  ) {
    throw invalidParameterError('blockhash bits', `a multiple of ${BLOCKHASH_BITS_STEP} between ${BLOCKHASH_BITS_STEP} and ${BLOCKHASH_MAX_BITS}`, bits);
  }
  return bits;
}

/**
 * Tightly packed RGBA as blockhash-core reads it (no stride). Grey is spread to R=G=B;
 * missing alpha is opaque. Returns the input's own buffer when it is already packed RGBA.
 */
export function toPackedRgba(p: Pixels): Uint8Array {
  const { data, width, height, channels, stride } = p;
  const rowBytes = width * 4;
  if (channels === 4 && stride === rowBytes && data.length === rowBytes * height) return data;
  const out = new Uint8Array(rowBytes * height);
  if (channels === 4) {
    for (let y = 0; y < height; y++) out.set(data.subarray(y * stride, y * stride + rowBytes), y * rowBytes);
    return out;
  }
  const grey = channels < 3;
  const alpha = channels === 2 ? 1 : -1;
  for (let y = 0; y < height; y++) {
    let i = y * stride;
    const end = (y + 1) * rowBytes;
    for (let o = y * rowBytes; o < end; o += 4, i += channels) {
      const r = data[i];
      out[o] = r;
      out[o + 1] = grey ? r : data[i + 1];
      out[o + 2] = grey ? r : data[i + 2];
      out[o + 3] = alpha > 0 ? data[i + alpha] : OPAQUE;
    }
  }
  return out;
}

function checkPixels(p: Pixels): void {
  const { width, height, channels, stride, data } = p;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new RangeError(`Expected a positive integer width and height but received ${width}x${height}`);
  }
  if (stride < width * channels) throw new RangeError(`Row stride ${stride} is shorter than width * channels`);
  if (data.length < stride * (height - 1) + width * channels) {
    throw new RangeError(`Pixel buffer of ${data.length} bytes is too short for ${width}x${height}`);
  }
}

/**
 * Below this quality (blockhash-sums.ts: the percentage of blocks at least two grey levels from
 * their quarter's median) a blockhash is low quality, reported and never matched. Under 5% of
 * 256 blocks the image itself decides fewer bits than the match threshold (12) lets differ, so a
 * flat or near-flat image would match an all-zero or all-one entry, or another such image.
 */
export const BLOCKHASH_MIN_QUALITY = 5;

/** blockhash-core itself, the reference the fast path is tested against. */
export function blockhashReference(pixels: Pixels, bits: number = BLOCKHASH_DEFAULT_BITS, method: BlockhashMethod = 'precise'): Uint8Array {
  checkBlockhashBits(bits);
  checkPixels(pixels);
  const data = toPackedRgba(pixels);
  const hex = (method === 'precise' ? bmvbhash : bmvbhashEven)({ width: pixels.width, height: pixels.height, data }, bits);
  return parseHex(hex, bits * bits, 'blockhash');
}

/** Hash and quality from one pass over the pixels (blockhash-core for the hash where the sums are not exact). */
export function blockhashWithQuality(pixels: Pixels, bits: number, method: BlockhashMethod): { hash: Uint8Array; quality: number } {
  const pass = blockhashPass(pixels, bits, method);
  pass.rows(0, pixels.height);
  return pass.finish();
}

/** blockhashWithQuality band by band (a RowPass). */
export interface BlockhashPass {
  rows(y0: number, y1: number): void;
  finish(): { hash: Uint8Array; quality: number };
  readonly bandReader?: BandReader;
}

export function blockhashPass(pixels: Pixels, bits: number, method: BlockhashMethod): BlockhashPass {
  checkBlockhashBits(bits);
  checkPixels(pixels);
  const pass = blockSumsPass(pixels, bits, method);
  return {
    rows: pass.rows,
    bandReader: pass.bandReader,
    finish: () => {
      const sums = pass.finish();
      const hash = sums.exact ? sumsToHash(sums) : blockhashReference(pixels, bits, method);
      return { hash, quality: blockhashQuality(sums) };
    },
  };
}

/** Method 2 "precise" (`bmvbhash`), the one this signal reports. */
export function blockhashPrecise(pixels: Pixels, bits: number = BLOCKHASH_DEFAULT_BITS): Uint8Array {
  return blockhashWithQuality(pixels, bits, 'precise').hash;
}

/** Method 1 "quick" (`bmvbhashEven`): integer block sizes, the right/bottom remainder ignored. */
export function blockhashQuick(pixels: Pixels, bits: number = BLOCKHASH_DEFAULT_BITS): Uint8Array {
  return blockhashWithQuality(pixels, bits, 'quick').hash;
}

/**
 * Parse a hash of `bits` a side. The signal's own `parse` accepts only the default 16x16 (64 hex
 * digits), the size lists are stored and indexed at; this one serves other sizes.
 */
export function parseBlockhash(hex: string, bits: number = BLOCKHASH_DEFAULT_BITS): Uint8Array {
  checkBlockhashBits(bits);
  return parseHex(hex, bits * bits, 'blockhash');
}

export const blockhash: PerceptualSignalType = Object.freeze({
  name: 'blockhash',
  kind: 'perceptual' as const,
  bits: BLOCKHASH_DEFAULT_BITS * BLOCKHASH_DEFAULT_BITS,
  defaultThreshold: BLOCKHASH_MATCH_THRESHOLD,
  minQuality: BLOCKHASH_MIN_QUALITY,
  supportsDihedral: false,
  description: 'blockhash.io "precise" method via blockhash-core, 16x16 = 256 bits by default',
  parse: (hex: string) => parseBlockhash(hex),
  format: formatHex,
  distance: hammingBytes,
  minDecodeSide: () => null,
  // blockhash.io treats fully transparent pixels as white; the image's own alpha (kept by the decoder) is all it reads.
  readsAlpha: false,
  fromPixels: (pixels: Pixels, options: HashOptions) =>
    blockhashWithQuality(pixels, options.blockhashBits ?? BLOCKHASH_DEFAULT_BITS, 'precise'),
  rowPass: (pixels: Pixels, options: HashOptions) => blockhashPass(pixels, options.blockhashBits ?? BLOCKHASH_DEFAULT_BITS, 'precise'),
});
