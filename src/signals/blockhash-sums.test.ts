import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DECODE_LIMITS, decodeImage } from '../image/decode.js';
import { blockhash, BLOCKHASH_MIN_QUALITY, blockhashReference, blockhashWithQuality } from './blockhash.js';
import { blockhashQuality, blockSums, type BlockhashMethod } from './blockhash-sums.js';
import { formatHex } from './hex.js';
import { DEFAULT_HASH_OPTIONS, type Pixels } from './types.js';

/** The shared conformance folder beside the repository, or where HASHSIEVE_CONFORMANCE points. */
const CONFORMANCE = [
  process.env.HASHSIEVE_CONFORMANCE && `${process.env.HASHSIEVE_CONFORMANCE}/blockhash/`,
  fileURLToPath(new URL('../../test/conformance/blockhash/', import.meta.url)),
  fileURLToPath(new URL('../../../shared/conformance/blockhash/', import.meta.url)),
].find((d): d is string => typeof d === 'string' && existsSync(d));
const FIXTURES = fileURLToPath(new URL('../../fixtures/images/', import.meta.url));
const imagesIn = (dir: string) => readdirSync(dir).filter((f) => /\.(jpe?g|png|webp)$/i.test(f)).sort().map((f) => dir + f);
const IMAGES = [...(CONFORMANCE ? imagesIn(CONFORMANCE) : []), ...imagesIn(FIXTURES)];
const METHODS: readonly BlockhashMethod[] = ['precise', 'quick'];
const BITS = [4, 8, 12, 16, 20, 32, 64];

/** Pixels as the scan decodes for blockhash now (the image's own bands) and as the reference recipe did (RGBA). */
async function bothDecodes(input: string | Buffer): Promise<{ own: Pixels; rgba: Pixels }> {
  const shape = { limits: DEFAULT_DECODE_LIMITS, minSide: null };
  const [own, rgba] = await Promise.all([decodeImage(input, { ...shape, rgba: false }), decodeImage(input, { ...shape, rgba: true })]);
  return { own: own.pixels, rgba: rgba.pixels };
}

function expectSameAsReference(own: Pixels, rgba: Pixels, bits: number, method: BlockhashMethod): void {
  expect(formatHex(blockhashWithQuality(own, bits, method).hash), `${bits} bits, ${method}`).toBe(formatHex(blockhashReference(rgba, bits, method)));
}

/** A seeded noise image with `channels` bands, some fully transparent pixels and a padded stride. */
function noise(width: number, height: number, channels: 1 | 2 | 3 | 4, seed: number, pad = 0): Pixels {
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s >>> 24;
  }
  if (channels === 2 || channels === 4) {
    for (let y = 0; y < height; y++) for (let x = y % 3; x < width; x += 3) data[y * stride + x * channels + channels - 1] = 0;
  }
  return { data, width, height, channels, stride };
}

/** The same pixels in a buffer that starts `shift` bytes into its ArrayBuffer (word reads must not assume alignment). */
function atOffset(p: Pixels, shift: number): Pixels {
  const data = new Uint8Array(p.data.length + shift).subarray(shift);
  data.set(p.data);
  return { ...p, data };
}

/** The same pixels as packed RGBA, the layout blockhash-core reads. */
function asRgba(p: Pixels): Pixels {
  const data = new Uint8Array(p.width * p.height * 4);
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const i = y * p.stride + x * p.channels;
      const o = (y * p.width + x) * 4;
      const grey = p.channels < 3;
      data[o] = p.data[i];
      data[o + 1] = grey ? p.data[i] : p.data[i + 1];
      data[o + 2] = grey ? p.data[i] : p.data[i + 2];
      data[o + 3] = p.channels === 2 ? p.data[i + 1] : p.channels === 4 ? p.data[i + 3] : 255;
    }
  }
  return { data, width: p.width, height: p.height, channels: 4, stride: p.width * 4 };
}

describe('blockhash in one pass: conformance', () => {
  it.skipIf(!CONFORMANCE)('all 34 vectors, from the decode the scan makes (image bands, no added alpha)', async () => {
    const files = imagesIn(CONFORMANCE!);
    expect(files).toHaveLength(17);
    for (const file of files) {
      const { pixels } = await decodeImage(file, { limits: DEFAULT_DECODE_LIMITS, minSide: null, rgba: false });
      const stem = file.replace(/\.[^.]+$/, '');
      for (const [method, n] of [['precise', 2], ['quick', 1]] as const) {
        const want = readFileSync(`${stem}_16_${n}.txt`, 'utf8').trim().split(/\s+/)[0];
        expect(formatHex(blockhashWithQuality(pixels, 16, method).hash), `${file} ${method}`).toBe(want);
      }
    }
  });
  it.runIf(!CONFORMANCE)('conformance vectors not found (../shared/conformance or HASHSIEVE_CONFORMANCE): skipped', () => {
    if (process.env.CI === 'true') throw new Error('blockhash conformance vectors missing');
  });
});

describe('blockhash in one pass equals blockhash-core', () => {
  it.each(IMAGES)('%s, sizes 4..64, both methods', async (file) => {
    const { own, rgba } = await bothDecodes(file);
    for (const bits of BITS) for (const method of METHODS) expectSameAsReference(own, rgba, bits, method);
  });

  it.each([
    [1, 1],
    [15, 17],
    [17, 15],
    [4097, 3],
    [3, 4097],
    [100, 75],
    [1023, 769],
    [64, 48],
  ])('%ix%i noise, every channel layout, padded rows, buffers at odd offsets', (w, h) => {
    for (const channels of [1, 2, 3, 4] as const) {
      for (const [pad, shift] of [[channels, 0], [0, 1], [1, 2]]) {
        const p = atOffset(noise(w, h, channels, w * 31 + h + channels + shift, pad), shift);
        for (const bits of [4, 8, 12, 16, 32]) for (const method of METHODS) expectSameAsReference(p, asRgba(p), bits, method);
      }
    }
  });

  it('16-bit RGB and grey+alpha PNGs', async () => {
    const [w, h] = [97, 61];
    const p = noise(w, h, 3, 7);
    const rgb16 = await sharp(p.data, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    const ga = noise(w, h, 2, 9);
    const greyAlpha16 = await sharp(ga.data, { raw: { width: w, height: h, channels: 2 } }).toColourspace('grey16').png().toBuffer();
    for (const png of [rgb16, greyAlpha16]) {
      const { own, rgba } = await bothDecodes(png);
      for (const method of METHODS) expectSameAsReference(own, rgba, 16, method);
    }
  });

  it('a palette PNG with tRNS keeps its transparency as white (alpha decoded without an added band)', async () => {
    const [w, h] = [70, 45];
    const p = noise(w, h, 4, 11);
    const png = await sharp(p.data, { raw: { width: w, height: h, channels: 4 } }).png({ palette: true, colours: 32 }).toBuffer();
    const meta = await sharp(png).metadata();
    expect(meta.isPalette && meta.hasAlpha).toBe(true);
    const { own, rgba } = await bothDecodes(png);
    expect(own.channels).toBe(4);
    for (const bits of [8, 16]) for (const method of METHODS) expectSameAsReference(own, rgba, bits, method);
  });

  it('sums are exact exactly for power-of-two sizes and the quick method', () => {
    const p = noise(15, 17, 3, 1);
    expect(blockSums(p, 16, 'precise').exact).toBe(true);
    expect(blockSums(p, 12, 'precise').exact).toBe(false);
    expect(blockSums(p, 12, 'quick').exact).toBe(true);
  });
});

describe('blockhash quality', () => {
  const grey = (w: number, h: number, f: (x: number, y: number) => number): Pixels => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
    return { data, width: w, height: h, channels: 1, stride: w };
  };
  const quality = (p: Pixels) => blockhash.fromPixels(p, DEFAULT_HASH_OPTIONS).quality!;
  let s = 5;
  const jitter = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 30) - 2;

  it('flat images score 0 (their hash is all zeros or all ones), black, grey and white', () => {
    for (const v of [0, 128, 255]) expect(quality(grey(1001, 757, () => v))).toBe(0);
    expect(formatHex(blockhash.fromPixels(grey(1001, 757, () => 0), DEFAULT_HASH_OPTIONS).hash)).toBe('0'.repeat(64));
  });

  it('near-flat images (pixel noise of a few levels, a faint gradient) are below the minimum', () => {
    expect(quality(grey(640, 480, () => 128 + jitter()))).toBeLessThan(BLOCKHASH_MIN_QUALITY);
    expect(quality(grey(640, 480, (x) => 100 + (x >> 8)))).toBeLessThan(BLOCKHASH_MIN_QUALITY);
  });

  it('structured images are well above it', async () => {
    expect(quality(grey(640, 480, (x, y) => (x * 255) / 640 + ((y >> 5) & 1) * 40))).toBeGreaterThan(80);
    for (const file of imagesIn(FIXTURES).filter((f) => !f.includes('1x1'))) {
      const { pixels } = await decodeImage(file, { limits: DEFAULT_DECODE_LIMITS, minSide: null, rgba: false });
      expect(quality(pixels), file).toBeGreaterThan(50);
    }
  });

  it('is the percentage of blocks two grey levels or more from their quarter median', () => {
    // Left half black, right half white: every block is 382.5 from its quarter's median.
    expect(blockhashQuality(blockSums(grey(64, 64, (x) => (x < 32 ? 0 : 255)), 16, 'precise'))).toBe(100);
    // One block in 256 differs from a flat field.
    expect(blockhashQuality(blockSums(grey(64, 64, (x, y) => (x < 4 && y < 4 ? 200 : 100)), 16, 'precise'))).toBe(0);
    expect(blockhashQuality(blockSums(grey(64, 64, (x, y) => (x < 16 && y < 16 ? 200 : 100)), 16, 'precise'))).toBe(6);
  });
});
