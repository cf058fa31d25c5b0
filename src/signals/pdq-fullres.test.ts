import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdq } from './pdq.js';
import {
  hashConformanceImage,
  QUALITY_QUIRK,
  QUIRK_ORIGINAL,
  readExpected,
  REFERENCE_QUIRKS,
} from '../../test/support/pdq-conformance.js';
import { pdqPhotos } from '../../test/conformance/vectors.js';

const expected = readExpected('expected-fullres.csv');
const PHOTOS = pdqPhotos();
const present = PHOTOS ? expected.filter((e) => existsSync(join(PHOTOS, e.path))) : [];
const original = expected.find((e) => e.path === QUIRK_ORIGINAL)!;

describe.skipIf(!PHOTOS)('pdq fullres pipeline on the conformance images (expected-fullres.csv)', () => {
  it('has the images (the CSV also lists two EXIF-rotated photos the set does not ship)', () => {
    expect(present.length).toBeGreaterThanOrEqual(45);
    expect(expected.length - present.length).toBeLessThanOrEqual(2);
  });

  it.each(present.filter((e) => !(e.path in REFERENCE_QUIRKS)).map((e) => [e.path, e] as const))(
    '%s: hash and quality exactly',
    async (path, e) => {
      const got = await hashConformanceImage(PHOTOS!, path, 'fullres');
      if (path === QUALITY_QUIRK) {
        expect(got).toEqual({ hex: e.hash, quality: 100 });
      } else {
        expect(got).toEqual({ hex: e.hash, quality: e.quality });
      }
    },
  );

  it.each(Object.keys(REFERENCE_QUIRKS))('%s: correct colours hash near the original photo, not like the reference quirk', async (path) => {
    const got = await hashConformanceImage(PHOTOS!, path, 'fullres');
    const quirk = expected.find((e) => e.path === path)!;
    expect(pdq.distance(pdq.parse(got.hex), pdq.parse(original.hash))).toBeLessThanOrEqual(10);
    expect(pdq.distance(pdq.parse(got.hex), pdq.parse(quirk.hash))).toBeGreaterThan(pdq.defaultThreshold);
  });
});
