import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSource } from '../synthetic/images.js';
import { mulberry32 } from '../synthetic/prng.js';
import { FileError, type FileErrorCode } from '../errors.js';
import { cleanReason, decodeImage, DEFAULT_DECODE_LIMITS, type DecodeRequest, shrinkTarget } from './decode.js';

const FULL: DecodeRequest = { limits: DEFAULT_DECODE_LIMITS, minSide: null };
const W = 96;
const H = 64;

async function decodeError(input: Buffer | string, req: DecodeRequest = FULL): Promise<FileError> {
  try {
    await decodeImage(input, req);
  } catch (e) {
    expect(e).toBeInstanceOf(FileError);
    return e as FileError;
  }
  throw new Error('expected decodeImage to fail');
}

async function expectCode(input: Buffer | string, code: FileErrorCode, req: DecodeRequest = FULL): Promise<FileError> {
  const e = await decodeError(input, req);
  expect(e.code).toBe(code);
  expect(e.message.length).toBeLessThan(200);
  expect(e.message).toMatch(/^[\x20-\x7e…]+$/);
  return e;
}

function pngChunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([head, typed, crc]);
}

/** A PNG signature and an IHDR claiming width x height 8-bit RGB, then a tiny IDAT and IEND. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** RGB channels of RGBA pixels. */
function rgbOf(data: Uint8Array): Uint8Array {
  const out = new Uint8Array((data.length / 4) * 3);
  for (let i = 0, o = 0; i < data.length; i += 4, o += 3) out.set(data.subarray(i, i + 3), o);
  return out;
}

let source: Buffer;
let sourceRgb: Uint8Array;
let dir: string;

beforeAll(async () => {
  source = await generateSource(7, W, H);
  sourceRgb = rgbOf((await decodeImage(source, FULL)).pixels.data);
  dir = mkdtempSync(join(tmpdir(), 'hashsieve-decode-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeImage: bad input becomes a FileError with a stable code', () => {
  it('zero-byte buffer and file: EMPTY_FILE', async () => {
    await expectCode(Buffer.alloc(0), 'EMPTY_FILE');
    const path = join(dir, 'empty.jpg');
    writeFileSync(path, '');
    await expectCode(path, 'EMPTY_FILE');
  });

  it('truncated JPEG: DECODE_FAILED, no bytes in the message', async () => {
    const jpeg = await sharp(source).jpeg({ quality: 90 }).toBuffer();
    const e = await expectCode(jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'DECODE_FAILED');
    expect(e.message).toMatch(/^The image could not be decoded/);
  });

  it('random bytes and text: UNSUPPORTED_FORMAT', async () => {
    const rand = mulberry32(99);
    const noise = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
    await expectCode(noise, 'UNSUPPORTED_FORMAT');
    await expectCode(Buffer.from('just some text, not an image\n'.repeat(20)), 'UNSUPPORTED_FORMAT');
    const path = join(dir, 'random.jpg');
    writeFileSync(path, noise);
    await expectCode(path, 'UNSUPPORTED_FORMAT');
  });

  it('a PNG header claiming 100000x100000: TOO_MANY_PIXELS before decoding', async () => {
    const e = await expectCode(pngClaiming(100_000, 100_000), 'TOO_MANY_PIXELS');
    expect(e.message).toContain('100000x100000');
  });

  it('the pixel limit applies to the first frame from the header', async () => {
    const png = await sharp(source).png().toBuffer();
    await expectCode(png, 'TOO_MANY_PIXELS', { limits: { maxPixels: W * H - 1, maxBytes: 1e9 }, minSide: null });
    await expect(decodeImage(png, { limits: { maxPixels: W * H, maxBytes: 1e9 }, minSide: null })).resolves.toBeDefined();
  });

  it('over the byte limit: TOO_LARGE', async () => {
    const png = await sharp(source).png().toBuffer();
    await expectCode(png, 'TOO_LARGE', { limits: { maxPixels: 1e9, maxBytes: png.length - 1 }, minSide: null });
  });

  it('missing path: UNREADABLE; a directory: NOT_A_FILE', async () => {
    await expectCode(join(dir, 'does-not-exist.png'), 'UNREADABLE');
    await expectCode(dir, 'NOT_A_FILE');
  });

  it('SVG is not hashed: UNSUPPORTED_FORMAT', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    await expectCode(svg, 'UNSUPPORTED_FORMAT');
  });

  it('cleanReason keeps a short printable first line without quoted parts', () => {
    const reason = cleanReason(new Error('VipsJpeg: "/secret/path\x01\x02.jpg" bad\x00data\nsecond line'));
    expect(reason).toBe('VipsJpeg: … baddata');
    expect(cleanReason(new Error('x'.repeat(500))).length).toBeLessThanOrEqual(81);
  });
});

describe('decodeImage: output is 8-bit sRGB RGBA (by default), first frame, as stored', () => {
  it('a 1x1 image decodes', async () => {
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#c87828' } }).png().toBuffer();
    const d = await decodeImage(png, FULL);
    expect(d.pixels).toMatchObject({ width: 1, height: 1, channels: 4, stride: 4 });
    expect(Array.from(d.pixels.data)).toEqual([0xc8, 0x78, 0x28, 255]);
  });

  it('reads a file path the same as its bytes', async () => {
    const path = join(dir, 'source.png');
    writeFileSync(path, source);
    const d = await decodeImage(path, FULL);
    expect(d).toMatchObject({ width: W, height: H, format: 'png', shrunk: false });
    expect(rgbOf(d.pixels.data)).toEqual(sourceRgb);
  });

  it('a file name ending in [...] is a name, not libvips load options', async () => {
    for (const name of ['x.png[shrink=2]', 'y[0].png', 'z.png[page=1,n=-1]']) {
      const path = join(dir, name);
      writeFileSync(path, source);
      const d = await decodeImage(path, FULL);
      expect(d, name).toMatchObject({ width: W, height: H, format: 'png' });
      expect(rgbOf(d.pixels.data)).toEqual(sourceRgb);
    }
  });

  it('ignores EXIF orientation (no auto-rotation)', async () => {
    const jpeg = await sharp(source).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(jpeg).metadata()).orientation).toBe(6);
    const d = await decodeImage(jpeg, FULL);
    expect([d.pixels.width, d.pixels.height]).toEqual([W, H]);
    expect(meanAbsDiff(rgbOf(d.pixels.data), sourceRgb)).toBeLessThan(3);
  });

  it('keeps alpha (blockhash needs it) and leaves colour untouched under it', async () => {
    const rgba = await sharp(source).ensureAlpha(0.5).png().toBuffer();
    const d = await decodeImage(rgba, FULL);
    expect(Math.abs(d.pixels.data[3] - 128)).toBeLessThanOrEqual(1);
    expect(rgbOf(d.pixels.data)).toEqual(sourceRgb);
  });

  it('grey and grey+alpha become R = G = B', async () => {
    for (const img of [sharp(source).greyscale(), sharp(source).greyscale().ensureAlpha(1)]) {
      const png = await img.png().toBuffer();
      const d = await decodeImage(png, FULL);
      const p = d.pixels.data;
      for (let i = 0; i < p.length; i += 4 * 37) expect([p[i + 1], p[i + 2], p[i + 3]]).toEqual([p[i], p[i], 255]);
    }
  });

  it('16-bit PNG is scaled to 8 bits, not truncated', async () => {
    const png16 = await sharp(source).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const d = await decodeImage(png16, FULL);
    expect(meanAbsDiff(rgbOf(d.pixels.data), sourceRgb)).toBeLessThan(1);
  });

  it('palette PNG decodes to its colours, not its indices', async () => {
    const pal = await sharp(source).png({ palette: true, colours: 64, dither: 0 }).toBuffer();
    expect((await sharp(pal).metadata()).isPalette).toBe(true);
    const d = await decodeImage(pal, FULL);
    expect(meanAbsDiff(rgbOf(d.pixels.data), sourceRgb)).toBeLessThan(12);
  });

  it('1-bit PNG decodes to black and white 0/255', async () => {
    const bw = await sharp(source).greyscale().threshold(128).png({ palette: true, colours: 2 }).toBuffer();
    expect((await sharp(bw).metadata()).bitsPerSample).toBe(1);
    const d = await decodeImage(bw, FULL);
    const values = new Set(d.pixels.data.filter((_v, i) => i % 4 === 0));
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
  });

  it('CMYK JPEG is converted to RGB colours, not read as C, M, Y', async () => {
    const cmyk = await sharp(source).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const d = await decodeImage(cmyk, FULL);
    expect(meanAbsDiff(rgbOf(d.pixels.data), sourceRgb)).toBeLessThan(25);
  });

  it('an animated image gives its first frame only', async () => {
    const frame2 = await sharp({ create: { width: W, height: H, channels: 3, background: '#000000' } }).png().toBuffer();
    const stacked = await sharp(source)
      .resize(W, 2 * H, { fit: 'contain', position: 'top', background: '#000000' })
      .composite([{ input: frame2, top: H, left: 0 }])
      .removeAlpha()
      .raw()
      .toBuffer();
    const webp = await sharp(stacked, { raw: { width: W, height: 2 * H, channels: 3, pageHeight: H } })
      .webp({ lossless: true })
      .toBuffer();
    expect((await sharp(webp).metadata()).pages).toBe(2);
    const d = await decodeImage(webp, FULL);
    expect([d.pixels.width, d.pixels.height, d.height]).toEqual([W, H, H]);
    expect(meanAbsDiff(rgbOf(d.pixels.data), sourceRgb)).toBeLessThan(1);
  });
});

describe('decodeImage: rgba false keeps the bands the image has (no alpha pass)', () => {
  const OWN: DecodeRequest = { ...FULL, rgba: false };

  it('opaque images give 3 channels with the same colours as the RGBA decode', async () => {
    const jpeg = await sharp(source).jpeg({ quality: 90 }).toBuffer();
    const cmyk = await sharp(source).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const pal = await sharp(source).png({ palette: true, colours: 64, dither: 0 }).toBuffer();
    const grey = await sharp(source).greyscale().png().toBuffer();
    const png16 = await sharp(source).toColourspace('rgb16').png().toBuffer();
    for (const [name, input] of Object.entries({ png: source, jpeg, cmyk, pal, grey, png16 })) {
      const own = await decodeImage(input, OWN);
      const rgba = await decodeImage(input, FULL);
      expect(own.pixels, name).toMatchObject({ width: W, height: H, channels: 3, stride: W * 3 });
      expect(own.pixels.data.length, name).toBe(W * H * 3);
      expect(Buffer.from(own.pixels.data).equals(Buffer.from(rgbOf(rgba.pixels.data))), name).toBe(true);
    }
  });

  it('an image with alpha keeps it: 4 channels, as the RGBA decode', async () => {
    for (const img of [sharp(source).ensureAlpha(0.5), sharp(source).greyscale().ensureAlpha(0.25)]) {
      const png = await img.png().toBuffer();
      const own = await decodeImage(png, OWN);
      expect(own.pixels.channels).toBe(4);
      expect(Buffer.from(own.pixels.data).equals(Buffer.from((await decodeImage(png, FULL)).pixels.data))).toBe(true);
    }
  });

  it('shrinks on load the same way', async () => {
    const jpeg = await sharp(await generateSource(3, 1200, 800)).jpeg({ quality: 90 }).toBuffer();
    const own = await decodeImage(jpeg, { ...OWN, minSide: 266 });
    const rgba = await decodeImage(jpeg, { ...FULL, minSide: 266 });
    expect([own.pixels.width, own.pixels.height, own.pixels.channels, own.shrunk]).toEqual([400, 266, 3, true]);
    expect(Buffer.from(own.pixels.data).equals(Buffer.from(rgbOf(rgba.pixels.data)))).toBe(true);
  });
});

describe('decodeImage: shrink on load', () => {
  it('PNG: shrinks so the shorter side equals minSide, keeping the aspect ratio', async () => {
    const big = await sharp(await generateSource(3, 1200, 800)).png().toBuffer();
    const d = await decodeImage(big, { limits: DEFAULT_DECODE_LIMITS, minSide: 200 });
    expect(d).toMatchObject({ width: 1200, height: 800, shrunk: true });
    expect([d.pixels.width, d.pixels.height]).toEqual([300, 200]);
  });

  it('PNG: does not shrink by less than a factor of 2', async () => {
    const png = await sharp(await generateSource(3, 300, 200)).png().toBuffer();
    const d = await decodeImage(png, { limits: DEFAULT_DECODE_LIMITS, minSide: 101 });
    expect(d.shrunk).toBe(false);
    expect([d.pixels.width, d.pixels.height]).toEqual([300, 200]);
    const e = await decodeImage(png, { limits: DEFAULT_DECODE_LIMITS, minSide: 100 });
    expect([e.pixels.width, e.pixels.height, e.shrunk]).toEqual([150, 100, true]);
  });

  it('JPEG: the smallest size/(s+1), s in 8, 4, 2, whose shorter side stays >= minSide', async () => {
    const jpeg = await sharp(await generateSource(3, 1200, 800)).jpeg({ quality: 90 }).toBuffer();
    const at = async (minSide: number): Promise<[number, number, boolean]> => {
      const d = await decodeImage(jpeg, { limits: DEFAULT_DECODE_LIMITS, minSide });
      expect([d.width, d.height]).toEqual([1200, 800]);
      return [d.pixels.width, d.pixels.height, d.shrunk];
    };
    expect(await at(267)).toEqual([1200, 800, false]);
    expect(await at(266)).toEqual([400, 266, true]);
    expect(await at(161)).toEqual([400, 266, true]);
    expect(await at(160)).toEqual([240, 160, true]);
    expect(await at(88)).toEqual([133, 88, true]);
  });

  it('JPEG: shrinkTarget picks scales sharp decodes at directly', () => {
    expect(shrinkTarget(4032, 3024, 600, 'jpeg')).toEqual({ width: 806, height: 604 });
    expect(shrinkTarget(1024, 768, 600, 'jpeg')).toBeNull();
    expect(shrinkTarget(3024, 4032, 600, 'jpeg')).toEqual({ width: 604, height: 806 });
    expect(shrinkTarget(1920, 1800, 600, 'jpeg')).toEqual({ width: 640, height: 600 });
    expect(shrinkTarget(4032, 3024, null, 'jpeg')).toBeNull();
  });

  it('never enlarges and never shrinks below minSide', async () => {
    const d = await decodeImage(source, { limits: DEFAULT_DECODE_LIMITS, minSide: 640 });
    expect(d.shrunk).toBe(false);
    expect([d.pixels.width, d.pixels.height]).toEqual([W, H]);
  });
});
