import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PDQ_FAST_MIN_SIDE, pdq } from './pdq.js';
import { hashConformanceImage, PDQ_CONFORMANCE, QUIRK_ORIGINAL, readExpected, REFERENCE_QUIRKS } from './pdq/conformance-support.js';

/** The reference's own rule for ports with another decoder. */
const FAST_MAX_DISTANCE = 10;
const MIN_QUALITY_CHECKED = 80;

const expected = readExpected('expected-fullres.csv');
const original = expected.find((e) => e.path === QUIRK_ORIGINAL)!;
const checked = expected
  .filter((e) => e.quality >= MIN_QUALITY_CHECKED && existsSync(join(PDQ_CONFORMANCE, 'images', e.path)))
  .map((e) => (e.path in REFERENCE_QUIRKS ? { ...e, hash: original.hash } : e));

describe(`pdq fast pipeline (shorter side shrunk to ${PDQ_FAST_MIN_SIDE}) against expected-fullres.csv`, () => {
  it('checks every image of quality >= 80, including the 4032x3024 photos', () => {
    expect(checked.length).toBeGreaterThanOrEqual(43);
    expect(checked.some((e) => e.path.includes('exif-rotn'))).toBe(true);
  });

  it.each(checked.map((e) => [e.path, e] as const))(`%s: within ${FAST_MAX_DISTANCE} bits`, async (path, e) => {
    const got = await hashConformanceImage(path, 'fast');
    expect(pdq.distance(pdq.parse(got.hex), pdq.parse(e.hash))).toBeLessThanOrEqual(FAST_MAX_DISTANCE);
    expect(got.quality).toBeGreaterThanOrEqual(MIN_QUALITY_CHECKED);
  });
});
