/**
 * Test support for the PDQ conformance suites (src/signals/pdq-*.test.ts): how to read the expected
 * CSVs, and the decode-then-hash path they check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../../src/image/decode.js';
import { pdq } from '../../src/signals/pdq.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PdqPipeline } from '../../src/signals/types.js';
import { PDQ_VECTORS } from '../conformance/vectors.js';

export interface Expected {
  readonly path: string;
  readonly hash: string;
  readonly quality: number;
}

export function readExpected(csv: string): Expected[] {
  return readFileSync(join(PDQ_VECTORS, csv), 'utf8')
    .trim()
    .split('\n')
    .map((line) => {
      const [hash, quality, path] = line.split(',');
      return { path, hash, quality: Number(quality) };
    });
}

/** Hash one of the large photos (`photos` is the folder pdqPhotos() found). */
export async function hashConformanceImage(photos: string, path: string, pipeline: PdqPipeline): Promise<{ hex: string; quality: number }> {
  const options: HashOptions = { ...DEFAULT_HASH_OPTIONS, pdqPipeline: pipeline };
  const { pixels } = await decodeImage(join(photos, path), {
    limits: DEFAULT_DECODE_LIMITS,
    minSide: pdq.minDecodeSide(options),
  });
  const r = pdq.fromPixels(pixels, options);
  return { hex: pdq.format(r.hash), quality: r.quality ?? -1 };
}

/** The reference hashed these with a quirk; we convert colours correctly, so compare with the original photo. */
export const REFERENCE_QUIRKS: Readonly<Record<string, string>> = {
  'misc-images/modes/CMYK.jpg': 'python-threatexchange hashes C, M, Y as R, G, B',
  'misc-images/modes/P.png': 'python-threatexchange hashes palette indices, not colours',
};
export const QUIRK_ORIGINAL = 'misc-images/modes/original.jpg';
/** Pillow mode "1" becomes a 0/1 array, so the reference's gradients (and quality) shrink 255-fold. */
export const QUALITY_QUIRK = 'misc-images/modes/1.png';

