import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdq } from './pdq.js';
import { hashConformanceImage, readExpected } from '../../test/support/pdq-conformance.js';
import { pdqPhotos } from '../../test/conformance/vectors.js';

/**
 * ImageMagick (the C++ tool's decoder) and libvips convert CMYK to RGB differently; measured
 * distance 10. Every other file decodes to the same pixels in both.
 */
const CMYK = 'misc-images/modes/CMYK.jpg';
const CMYK_MAX_DISTANCE = 16;

const PHOTOS = pdqPhotos();
const expected = PHOTOS ? readExpected('expected-cpp-cli.csv').filter((e) => existsSync(join(PHOTOS, e.path))) : [];

describe.skipIf(!PHOTOS)('pdq cpp pipeline through our decoder (expected-cpp-cli.csv)', () => {
  it('has the images', () => {
    expect(expected.length).toBeGreaterThanOrEqual(45);
  });

  it.each(expected.filter((e) => e.path !== CMYK).map((e) => [e.path, e] as const))('%s: hash and quality exactly', async (path, e) => {
    expect(await hashConformanceImage(PHOTOS!, path, 'cpp')).toEqual({ hex: e.hash, quality: e.quality });
  });

  it(`${CMYK}: within ${CMYK_MAX_DISTANCE} bits (another CMYK conversion)`, async () => {
    const e = expected.find((x) => x.path === CMYK)!;
    const got = await hashConformanceImage(PHOTOS!, CMYK, 'cpp');
    expect(pdq.distance(pdq.parse(got.hex), pdq.parse(e.hash))).toBeLessThanOrEqual(CMYK_MAX_DISTANCE);
  });
});
