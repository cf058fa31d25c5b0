import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSource } from '../synthetic/images.js';
import { mulberry32 } from '../synthetic/prng.js';
import { PDQ_VECTORS, SHARED_CONFORMANCE } from '../../test/conformance/vectors.js';
import { jpegSize } from './jpeg-header.js';

/** The whole shared conformance set when it is beside the repository, else the vendored vectors. */
const CONFORMANCE = existsSync(SHARED_CONFORMANCE) ? SHARED_CONFORMANCE : dirname(PDQ_VECTORS);

function conformanceJpegs(): string[] {
  const out: string[] = [];
  const visit = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (/\.jpe?g$/i.test(e.name)) out.push(p);
    }
  };
  visit(CONFORMANCE);
  return out;
}

async function sharpSize(b: Uint8Array): Promise<{ width: number; height: number } | null> {
  try {
    const m = await sharp(b).metadata();
    return m.format === 'jpeg' && m.width && m.height ? { width: m.width, height: m.height } : null;
  } catch {
    return null;
  }
}

let variants: Record<string, Buffer>;

beforeAll(async () => {
  const src = await generateSource(5, 333, 217);
  variants = {
    baseline: await sharp(src).jpeg({ quality: 90 }).toBuffer(),
    progressive: await sharp(src).jpeg({ progressive: true }).toBuffer(),
    chroma444: await sharp(src).jpeg({ chromaSubsampling: '4:4:4' }).toBuffer(),
    optimised: await sharp(src).jpeg({ optimiseCoding: true, trellisQuantisation: true }).toBuffer(),
    grey: await sharp(src).greyscale().jpeg().toBuffer(),
    cmyk: await sharp(src).toColourspace('cmyk').jpeg().toBuffer(),
    exifRotated: await sharp(src).jpeg().withMetadata({ orientation: 6 }).toBuffer(),
    withIcc: await sharp(src).withIccProfile('p3').jpeg().toBuffer(),
    big: await sharp({ create: { width: 4032, height: 3024, channels: 3, background: '#336699' } }).jpeg().toBuffer(),
    tall: await sharp({ create: { width: 1, height: 65000, channels: 3, background: '#000000' } }).jpeg().toBuffer(),
  };
});

describe('jpegSize', () => {
  it('reads the size libvips reads, for every kind of JPEG sharp writes and the conformance JPEGs', async () => {
    const files = conformanceJpegs();
    expect(files.length).toBeGreaterThan(10);
    const all: [string, Uint8Array][] = [...Object.entries(variants), ...files.map((f): [string, Uint8Array] => [f, readFileSync(f)])];
    for (const [name, b] of all) {
      const expected = await sharpSize(b);
      expect(expected, name).not.toBeNull();
      expect(jpegSize(b), name).toEqual(expected);
    }
  });

  it('is not a JPEG: null', async () => {
    const png = await sharp(variants.baseline).png().toBuffer();
    const webp = await sharp(variants.baseline).webp().toBuffer();
    for (const b of [png, webp, Buffer.alloc(0), Buffer.from([0xff, 0xd8]), Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('GIF89a')]) {
      expect(jpegSize(b)).toBeNull();
    }
  });

  it('every truncation gives null or the true size, never another', () => {
    const b = variants.exifRotated;
    const truth = jpegSize(b);
    for (let n = 0; n < 2048 && n < b.length; n++) {
      const got = jpegSize(b.subarray(0, n));
      if (got !== null) expect(got, `first ${n} bytes`).toEqual(truth);
    }
  });

  it('what libjpeg would warn about gives null (the caller asks libvips)', () => {
    const b = Buffer.from(variants.baseline);
    // Garbage between SOI and the first segment.
    expect(jpegSize(Buffer.concat([b.subarray(0, 2), Buffer.from([0x00, 0x11]), b.subarray(2)]))).toBeNull();
    // A frame header whose height is left to a DNL marker (0).
    const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    const dnl = Buffer.from(b);
    dnl[sof + 5] = 0;
    dnl[sof + 6] = 0;
    expect(jpegSize(dnl)).toBeNull();
    // Scan data (SOS) before any frame header.
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0x00, 0x08, 1, 2, 3, 4, 5, 6]))).toBeNull();
    // A segment length running past the end, or shorter than its own field.
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x40, 0x00, 1, 2]))).toBeNull();
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01, 0xff, 0xc0]))).toBeNull();
  });

  it('fill bytes before a marker are skipped, as libjpeg does', () => {
    const b = variants.baseline;
    const padded = Buffer.concat([b.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff]), b.subarray(2)]);
    expect(jpegSize(padded)).toEqual(jpegSize(b));
  });

  it('under random damage to the headers, never disagrees with libvips when both answer', async () => {
    const rand = mulberry32(99);
    const b = variants.exifRotated;
    const sof = b.indexOf(Buffer.from([0xff, 0xc0]));
    for (let trial = 0; trial < 300; trial++) {
      const d = Buffer.from(b);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) d[Math.floor(rand() * (sof + 12))] = Math.floor(rand() * 256);
      const mine = jpegSize(d);
      if (mine === null) continue;
      const theirs = await sharpSize(d);
      if (theirs !== null) expect(mine, `trial ${trial}`).toEqual(theirs);
    }
  });
});
