import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSource } from '../synthetic/images.js';
import { UsageError } from '../errors.js';
import { describeSignalChecklist, toPixels } from '../../test/support/signal-checklist.js';
import { PDQ_FAST_MIN_SIDE, PDQ_MIN_QUALITY, pdq } from './pdq.js';
import { computePdq } from './pdq/pipeline.js';
import { DEFAULT_HASH_OPTIONS, DIHEDRAL_NAMES, type HashOptions, type Pixels } from './types.js';

describeSignalChecklist(pdq, { options: { pdqPipeline: 'fullres' } });
describeSignalChecklist(pdq, { options: { pdqPipeline: 'cpp' } });

const FULLRES: HashOptions = { ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'fullres' };

function greyPixels(rgba: Pixels, channels: 1 | 2): Pixels {
  const data = new Uint8Array(rgba.width * rgba.height * channels);
  for (let i = 0; i < rgba.width * rgba.height; i++) {
    data[i * channels] = rgba.data[i * 4];
    if (channels === 2) data[i * channels + 1] = 255;
  }
  return { data, width: rgba.width, height: rgba.height, channels, stride: rgba.width * channels };
}

describe('pdq signal', () => {
  let base: Pixels;
  let png: Buffer;

  beforeAll(async () => {
    png = await generateSource(4242, 320, 240);
    base = await toPixels(png);
  });

  it('minDecodeSide: only the fast pipeline lets the decoder shrink', () => {
    expect(pdq.minDecodeSide({ ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'fast' })).toBe(PDQ_FAST_MIN_SIDE);
    expect(pdq.minDecodeSide({ ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'fullres' })).toBeNull();
    expect(pdq.minDecodeSide({ ...DEFAULT_HASH_OPTIONS, pdqPipeline: 'cpp' })).toBeNull();
  });

  it('dihedral hashes only when asked; orig is the hash', () => {
    expect(pdq.fromPixels(base, FULLRES).dihedral).toBeUndefined();
    const r = pdq.fromPixels(base, { ...FULLRES, dihedral: true });
    expect(Object.keys(r.dihedral ?? {})).toEqual([...DIHEDRAL_NAMES]);
    expect(pdq.format(r.dihedral!.orig)).toBe(pdq.format(r.hash));
    expect(new Set(Object.values(r.dihedral!).map((h) => pdq.format(h))).size).toBe(8);
  });

  it('a rotated or mirrored copy matches the corresponding dihedral hash of the original', async () => {
    const dih = pdq.fromPixels(base, { ...FULLRES, dihedral: true }).dihedral!;
    const cases = [
      ['rot90', sharp(png).rotate(270)],
      ['rot180', sharp(png).rotate(180)],
      ['rot270', sharp(png).rotate(90)],
      ['flipx', sharp(png).flip()],
      ['flipy', sharp(png).flop()],
    ] as const;
    for (const [name, img] of cases) {
      const h = pdq.fromPixels(await toPixels(img), FULLRES).hash;
      expect([name, pdq.distance(h, dih[name]) <= pdq.defaultThreshold]).toEqual([name, true]);
      expect([name, pdq.distance(h, dih.orig) > pdq.defaultThreshold]).toEqual([name, true]);
    }
  });

  it('grey as 1, 2, 3 or 4 channels gives one hash', async () => {
    const grey = { ...base, data: base.data.map((_v, i) => base.data[i - (i % 4)]) };
    const want = pdq.format(pdq.fromPixels(grey, FULLRES).hash);
    for (const p of [greyPixels(grey, 1), greyPixels(grey, 2)]) {
      expect(pdq.format(pdq.fromPixels(p, FULLRES).hash)).toBe(want);
      expect(pdq.format(pdq.fromPixels(p, { ...FULLRES, pdqPipeline: 'cpp' }).hash)).toBe(
        pdq.format(pdq.fromPixels(grey, { ...FULLRES, pdqPipeline: 'cpp' }).hash),
      );
    }
  });

  it('a flat image is low quality but still hashed', () => {
    const flat: Pixels = { data: new Uint8Array(100 * 80 * 3).fill(90), width: 100, height: 80, channels: 3, stride: 300 };
    const r = pdq.fromPixels(flat, FULLRES);
    expect(r.quality).toBeLessThan(PDQ_MIN_QUALITY);
    expect(r.hash.length).toBe(32);
    expect(pdq.fromPixels(base, FULLRES).quality).toBeGreaterThanOrEqual(PDQ_MIN_QUALITY);
  });

  it('cpp pipeline resamples only images over 512 px on a side, to exactly 512x512', () => {
    const big: Pixels = { data: new Uint8Array(600 * 300 * 3), width: 600, height: 300, channels: 3, stride: 1800 };
    expect(computePdq(big, true)).toMatchObject({ hashedWidth: 512, hashedHeight: 512, windowAlongRows: 4, windowAlongCols: 4 });
    expect(computePdq(big, false)).toMatchObject({ hashedWidth: 600, hashedHeight: 300, windowAlongRows: 5, windowAlongCols: 3 });
    expect(computePdq(base, true)).toMatchObject({ hashedWidth: 320, hashedHeight: 240 });
  });

  it('rejects pixel buffers that do not hold the image', () => {
    const bad = [
      { ...base, stride: base.width * 4 - 1 },
      { ...base, width: 0 },
      { ...base, channels: 5 as 4 },
      { ...base, data: base.data.subarray(0, base.data.length - 1) },
    ];
    for (const p of bad) expect(() => pdq.fromPixels(p, FULLRES)).toThrow(UsageError);
  });
});
