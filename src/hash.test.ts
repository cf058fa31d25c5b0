import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSource } from './synthetic/images.js';
import { BLOCKHASH_VECTORS } from '../test/conformance/vectors.js';
import { UsageError } from './errors.js';
import { hashBuffer, hashFile, hashPixels } from './hash.js';
import { blockhash } from './signals/blockhash.js';
import { formatHex, hammingBytes, parseHex } from './signals/hex.js';
import { DEFAULT_HASH_OPTIONS, type PerceptualSignalType } from './signals/types.js';

const BLOCKHASH_DIR = BLOCKHASH_VECTORS + sep;

let dir: string;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hashsieve-hash-'));
  png = await generateSource(11, 160, 120);
  jpeg = await sharp(png).jpeg({ quality: 80 }).toBuffer();
  await writeFile(join(dir, 'a.png'), png);
  await writeFile(join(dir, 'a.jpg'), jpeg);
  await writeFile(join(dir, 'truncated.jpg'), jpeg.subarray(0, jpeg.length >> 1));
  await writeFile(join(dir, 'empty.png'), Buffer.alloc(0));
  await mkdir(join(dir, 'sub.png'));
  await symlink(join(dir, 'missing-target.png'), join(dir, 'dangling.png'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A perceptual signal whose behaviour a test controls. */
function fakeSignal(over: Partial<PerceptualSignalType>): PerceptualSignalType {
  return { ...blockhash, name: 'fake', ...over };
}

describe('hashFile', () => {
  it('reports digests of the bytes and blockhash of the pixels, in the requested order', async () => {
    const r = await hashFile(join(dir, 'a.jpg'), { signals: ['sha256', 'blockhash', 'md5', 'sha1'] });
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.hashes)).toEqual(['sha256', 'blockhash', 'md5', 'sha1']);
    expect(r.hashes.sha256.hash).toBe(sha256(jpeg));
    expect(r.hashes.md5.hash).toBe(createHash('md5').update(jpeg).digest('hex'));
    expect(r.hashes.sha1.hash).toBe(createHash('sha1').update(jpeg).digest('hex'));
    expect(r).toMatchObject({ size: jpeg.length, width: 160, height: 120, format: 'jpeg' });
    expect(r.hashes.blockhash.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a JPEG re-encode of a PNG stays within the blockhash threshold', async () => {
    const a = await hashFile(join(dir, 'a.png'), { signals: ['blockhash'] });
    const b = await hashFile(join(dir, 'a.jpg'), { signals: ['blockhash'] });
    const d = hammingBytes(parseHex(a.hashes.blockhash.hash, 256, 'x'), parseHex(b.hashes.blockhash.hash, 256, 'x'));
    expect(d).toBeLessThanOrEqual(blockhash.defaultThreshold);
  });

  it('honours blockhashBits', async () => {
    const r = await hashFile(join(dir, 'a.png'), { signals: ['blockhash'], hashOptions: { blockhashBits: 8 } });
    expect(r.hashes.blockhash.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps the digests of a file that fails to decode', async () => {
    const bytes = await readFile(join(dir, 'truncated.jpg'));
    const r = await hashFile(join(dir, 'truncated.jpg'), { signals: ['blockhash', 'sha256'] });
    expect(r.error?.code).toMatch(/^(DECODE_FAILED|UNSUPPORTED_FORMAT)$/);
    expect(r.hashes).toEqual({ sha256: { hash: sha256(bytes) } });
    expect(r.size).toBe(bytes.length);
  });

  it('streams the digests of a file over the byte limit and reports TOO_LARGE for the pixels', async () => {
    const r = await hashFile(join(dir, 'a.png'), { signals: ['blockhash', 'sha256'], limits: { maxBytes: 1000 } });
    expect(r.error?.code).toBe('TOO_LARGE');
    expect(r.hashes).toEqual({ sha256: { hash: sha256(png) } });
    expect(r.size).toBe(png.length);
  });

  it('streams digests without decoding when only exact signals are asked for', async () => {
    const r = await hashFile(join(dir, 'truncated.jpg'), { signals: ['md5'] });
    expect(r.error).toBeUndefined();
    expect(r.width).toBeUndefined();
    expect(r.hashes.md5.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['empty.png', 'EMPTY_FILE'],
    ['sub.png', 'NOT_A_FILE'],
    ['dangling.png', 'UNREADABLE'],
    ['no-such-file.png', 'UNREADABLE'],
  ])('%s becomes a %s row, not a throw', async (name, code) => {
    const r = await hashFile(join(dir, name), { signals: ['blockhash', 'sha256'] });
    expect(r.error?.code).toBe(code);
    expect(r.hashes).toEqual({});
    expect(r.size).toBe(0);
  });

  it('turns an unexpected error inside a signal into a generic DECODE_FAILED row, keeping other hashes', async () => {
    const broken = fakeSignal({
      fromPixels: () => {
        throw new Error('internal detail that must not leak');
      },
    });
    const r = await hashFile(join(dir, 'a.png'), { signals: [broken, blockhash, 'sha256'] });
    expect(r.error).toEqual({ code: 'DECODE_FAILED', message: 'The fake hash could not be computed for this image' });
    expect(Object.keys(r.hashes)).toEqual(['blockhash', 'sha256']);
  });

  it('flags a hash below the signal minimum quality as lowQuality and keeps it', async () => {
    const withQuality = (quality: number) =>
      fakeSignal({ minQuality: 50, fromPixels: () => ({ hash: new Uint8Array(32), quality }) });
    const low = await hashFile(join(dir, 'a.png'), { signals: [withQuality(49)] });
    expect(low.hashes.fake).toEqual({ hash: '0'.repeat(64), quality: 49, lowQuality: true });
    const ok = await hashFile(join(dir, 'a.png'), { signals: [withQuality(50)] });
    expect(ok.hashes.fake).toEqual({ hash: '0'.repeat(64), quality: 50 });
  });

  it('decodes once at the largest minimum side the signals accept, full size when any needs it', async () => {
    const seen: number[] = [];
    const sized = (name: string, side: number | null) =>
      fakeSignal({ name, minDecodeSide: () => side, fromPixels: (p) => (seen.push(p.width), { hash: new Uint8Array(32) }) });
    const r = await hashFile(join(dir, 'a.png'), { signals: [sized('f1', 32), sized('f2', null)] });
    expect(r.error).toBeUndefined();
    expect(seen).toEqual([160, 160]);
  });

  it('adds an alpha channel only when a requested signal reads alpha', async () => {
    const seen: string[] = [];
    const probe = (name: string, readsAlpha: boolean) =>
      fakeSignal({ name, readsAlpha, fromPixels: (p) => (seen.push(`${name}:${p.channels}:${p.stride / p.width}`), { hash: new Uint8Array(32) }) });
    await hashFile(join(dir, 'a.jpg'), { signals: [probe('rgb', false)] });
    expect(seen).toEqual(['rgb:3:3']);
    seen.length = 0;
    await hashFile(join(dir, 'a.jpg'), { signals: [probe('rgb', false), probe('alpha', true)] });
    expect(seen).toEqual(['rgb:4:4', 'alpha:4:4']);
    seen.length = 0;
    const translucent = join(dir, 'translucent.png');
    await writeFile(translucent, await sharp(png).ensureAlpha(0.5).png().toBuffer());
    await hashFile(translucent, { signals: [probe('rgb', false)] });
    expect(seen).toEqual(['rgb:4:4']);
  });

  it('PDQ from the RGB decode equals PDQ from the RGBA decode, in every pipeline', async () => {
    const { decodeImage, DEFAULT_DECODE_LIMITS } = await import('./image/decode.js');
    const { pdq } = await import('./signals/pdq.js');
    for (const [name, bytes] of [
      ['a.jpg', jpeg],
      ['a.png', png],
    ] as const) {
      for (const pdqPipeline of ['fast', 'fullres', 'cpp'] as const) {
        const options = { ...DEFAULT_HASH_OPTIONS, pdqPipeline, dihedral: true };
        const rgba = await decodeImage(bytes, { limits: DEFAULT_DECODE_LIMITS, minSide: pdq.minDecodeSide(options), rgba: true });
        expect(rgba.pixels.channels).toBe(4);
        const fromRgba = hashPixels(rgba.pixels, { signals: ['pdq'], hashOptions: options });
        const fromFile = await hashFile(join(dir, name), { signals: ['pdq'], hashOptions: options });
        expect(fromFile.hashes.pdq, `${name} ${pdqPipeline}`).toEqual(fromRgba.hashes.pdq);
      }
    }
  });

  it('rejects bad options with a UsageError', async () => {
    await expect(hashFile(join(dir, 'a.png'), { signals: ['phash'] })).rejects.toThrow(UsageError);
    await expect(hashFile(join(dir, 'a.png'), { hashOptions: { blockhashBits: 6 } })).rejects.toThrow(/multiple of 4/);
    await expect(hashFile(join(dir, 'a.png'), { limits: { maxBytes: -1 } })).rejects.toThrow(
      'Expected positive integer for maxBytes but received -1',
    );
    await expect(hashFile(join(dir, 'a.png'), { signals: [] })).rejects.toThrow(UsageError);
  });

  it('keeps the transparency of a palette PNG through the project decoder (transparent = white for blockhash)', async () => {
    const [w, h] = [64, 48];
    const raw = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      const [x, y] = [i % w, Math.floor(i / w)];
      const clear = x >= w / 2 && y < h / 2;
      raw.set(clear ? [0, 0, 0, 0] : [(x * 4) & 255, (y * 5) & 255, ((x ^ y) * 8) & 255, 255], i * 4);
    }
    const file = join(dir, 'palette-alpha.png');
    await writeFile(file, await sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png({ palette: true, colours: 64 }).toBuffer());
    const r = await hashFile(file, { signals: ['blockhash'] });
    const { data } = await sharp(file).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const whitened = Uint8Array.from(data);
    for (let i = 0; i < whitened.length; i += 4) if (whitened[i + 3] === 0) whitened.set([255, 255, 255, 255], i);
    const expected = blockhash.fromPixels({ data: whitened, width: w, height: h, channels: 4, stride: w * 4 }, DEFAULT_HASH_OPTIONS);
    expect(r.hashes.blockhash.hash).toBe(formatHex(expected.hash));
  });

  it('reproduces the blockhash conformance vectors through the project decoder', async () => {
    const files = (await readdir(BLOCKHASH_DIR)).filter((f) => /\.(jpg|png)$/.test(f)).sort();
    expect(files).toHaveLength(17);
    for (const f of files) {
      const r = await hashFile(BLOCKHASH_DIR + f, { signals: ['blockhash'] });
      const want = (await readFile(`${BLOCKHASH_DIR}${f.replace(/\.\w+$/, '')}_16_2.txt`, 'utf8')).split(/\s+/)[0];
      expect({ f, hash: r.hashes.blockhash?.hash }).toEqual({ f, hash: want });
    }
  });
});

describe('hashBuffer and hashPixels', () => {
  it('hashBuffer gives the same result as hashFile, labelled as asked', async () => {
    const fromFile = await hashFile(join(dir, 'a.png'), { signals: ['blockhash', 'sha1'] });
    const fromBuffer = await hashBuffer(new Uint8Array(png), { signals: ['blockhash', 'sha1'], path: 'mem' });
    expect(fromBuffer).toEqual({ ...fromFile, path: 'mem' });
    expect((await hashBuffer(Buffer.alloc(0))).error?.code).toBe('EMPTY_FILE');
  });

  it('hashPixels hashes raw pixels and refuses exact digests', async () => {
    const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    const pixels = { data, width: info.width, height: info.height, channels: 4 as const, stride: info.width * 4 };
    const r = hashPixels(pixels, { signals: ['blockhash'] });
    const fromFile = await hashFile(join(dir, 'a.png'), { signals: ['blockhash'] });
    expect(r.hashes.blockhash.hash).toBe(fromFile.hashes.blockhash.hash);
    expect(formatHex(blockhash.fromPixels(pixels, { pdqPipeline: 'fullres', dihedral: false, blockhashBits: 16 }).hash)).toBe(
      r.hashes.blockhash.hash,
    );
    expect(() => hashPixels(pixels, { signals: ['blockhash', 'md5'] })).toThrow(UsageError);
  });
});
