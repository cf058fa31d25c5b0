import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage, DEFAULT_DECODE_LIMITS } from '../image/decode.js';
import { PDQ_FAST_MIN_SIDE, pdq } from './pdq.js';
import { DEFAULT_HASH_OPTIONS } from './types.js';
import { hashConformanceImage, QUIRK_ORIGINAL, readExpected, REFERENCE_QUIRKS } from '../../test/support/pdq-conformance.js';
import { pdqPhotos } from '../../test/conformance/vectors.js';

/** The reference's own rule for ports with another decoder. */
const FAST_MAX_DISTANCE = 10;
const MIN_QUALITY_CHECKED = 80;
/** Only the two 4032x3024 photos of the set are big enough to be shrunk; these are enlarged to be. */
const ENLARGED = ['reg-test-input/dih/bridge-1-original.jpg', 'misc-images/c.png', 'reg-test-input/pen-and-coaster.png'];
/** Three times PDQ_FAST_MIN_SIDE: the smallest JPEG the decoder shrinks (libjpeg 1/2 scale). */
const ENLARGED_SHORT_SIDE = 3 * PDQ_FAST_MIN_SIDE;

const expected = readExpected('expected-fullres.csv');
const original = expected.find((e) => e.path === QUIRK_ORIGINAL)!;
const PHOTOS = pdqPhotos();
const checked = expected
  .filter((e) => PHOTOS !== null && e.quality >= MIN_QUALITY_CHECKED && existsSync(join(PHOTOS, e.path)))
  .map((e) => (e.path in REFERENCE_QUIRKS ? { ...e, hash: original.hash } : e));

describe.skipIf(!PHOTOS)(`pdq fast pipeline (shorter side shrunk to ${PDQ_FAST_MIN_SIDE}) against expected-fullres.csv`, () => {
  it('checks every image of quality >= 80, including the 4032x3024 photos', () => {
    expect(checked.length).toBeGreaterThanOrEqual(43);
    expect(checked.some((e) => e.path.includes('exif-rotn'))).toBe(true);
  });

  it.each(checked.map((e) => [e.path, e] as const))(`%s: within ${FAST_MAX_DISTANCE} bits`, async (path, e) => {
    const got = await hashConformanceImage(PHOTOS!, path, 'fast');
    expect(pdq.distance(pdq.parse(got.hex), pdq.parse(e.hash))).toBeLessThanOrEqual(FAST_MAX_DISTANCE);
    expect(got.quality).toBeGreaterThanOrEqual(MIN_QUALITY_CHECKED);
  });
});

describe.skipIf(!PHOTOS)(`pdq fast vs fullres on conformance photos enlarged to a ${ENLARGED_SHORT_SIDE} px shorter side (JPEG q92)`, () => {
  it.each(ENLARGED)(`%s: fast within ${FAST_MAX_DISTANCE} bits of fullres`, async (path) => {
    const src = sharp(join(PHOTOS!, path), { ignoreIcc: true });
    const { width = 0, height = 0 } = await src.metadata();
    const k = ENLARGED_SHORT_SIDE / Math.min(width, height);
    const jpeg = await src.resize(Math.round(width * k), Math.round(height * k)).jpeg({ quality: 92 }).toBuffer();
    const fastOptions = { ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'fast' as const };
    const full = await decodeImage(jpeg, { limits: DEFAULT_DECODE_LIMITS, minSide: null });
    const fast = await decodeImage(jpeg, { limits: DEFAULT_DECODE_LIMITS, minSide: pdq.minDecodeSide(fastOptions) });
    expect(fast.shrunk).toBe(true);
    const a = pdq.fromPixels(full.pixels, { ...fastOptions, pdqPipeline: 'fullres' });
    const b = pdq.fromPixels(fast.pixels, fastOptions);
    expect(pdq.distance(a.hash, b.hash)).toBeLessThanOrEqual(FAST_MAX_DISTANCE);
  });
});
