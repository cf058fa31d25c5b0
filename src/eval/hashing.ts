import { decodeImage, DEFAULT_DECODE_LIMITS } from '../image/decode.js';
import type { HashOptions, PerceptualResult, PerceptualSignalType } from '../signals/types.js';

/** Hash one encoded image with every given signal; keyed by signal name. */
export type ImageHasher = (image: Buffer) => Promise<ReadonlyMap<string, PerceptualResult>>;

/**
 * The hasher a scan uses, minus the file I/O: decode once (shrinking on load only as far as every
 * signal allows), then each signal's pure `fromPixels`.
 */
export function decodingHasher(signals: readonly PerceptualSignalType[], options: HashOptions): ImageHasher {
  const sides = signals.map((s) => s.minDecodeSide(options));
  const minSide = sides.some((s) => s === null) ? null : Math.max(...(sides as number[]));
  return async (image) => {
    const { pixels } = await decodeImage(image, { limits: DEFAULT_DECODE_LIMITS, minSide });
    return new Map(signals.map((s) => [s.name, s.fromPixels(pixels, options)]));
  };
}
