import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { evalSource } from './sources.js';

describe('evalSource', () => {
  it('is a deterministic PNG of the asked size that changes with the seed', async () => {
    const a = await evalSource(42, 80, 60);
    expect((await evalSource(42, 80, 60)).equals(a)).toBe(true);
    expect((await evalSource(43, 80, 60)).equals(a)).toBe(false);
    const meta = await sharp(a).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 80, 60, 3]);
  });

  it('is not flat: it has tonal range for a perceptual hash to work with', async () => {
    const { channels } = await sharp(await evalSource(7, 64, 64)).stats();
    for (const c of channels) expect(c.max - c.min).toBeGreaterThan(40);
  });
});
