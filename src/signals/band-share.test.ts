import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { hashBuffer } from '../hash.js';
import { DEFAULT_DECODE_LIMITS, decodeImage } from '../image/decode.js';
import { blockhash, blockhashPass, blockhashReference } from './blockhash.js';
import { blockSums, blockSumsPass, type BlockhashMethod } from './blockhash-sums.js';
import { formatHex } from './hex.js';
import { pdq } from './pdq.js';
import { walkRows } from './row-walk.js';
import { DEFAULT_HASH_OPTIONS, type PerceptualResult, type Pixels } from './types.js';

/** Seeded noise over a smooth pattern (PDQ quality above its minimum), some transparent pixels where there is alpha, `pad` bytes after each row. */
function image(width: number, height: number, channels: 3 | 4, seed: number, pad = 0): Pixels {
  const stride = width * channels + pad;
  const data = new Uint8Array(stride * height);
  let s = seed >>> 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const base = 128 + 90 * Math.sin((x * (c + 1)) / 29 + y / 17);
        data[y * stride + x * channels + c] = Math.max(0, Math.min(255, Math.round(base + ((s >>> 24) - 128) / 4)));
      }
      if (channels === 4 && (x + 2 * y) % 7 === 0) data[y * stride + x * 4 + 3] = 0;
    }
  }
  return { data, width, height, channels, stride };
}

const show = (r: PerceptualResult) => ({ hash: formatHex(r.hash), quality: r.quality });

/**
 * PDQ's row pass copies each band of `bandRows` rows and the block sums pass reads it there
 * (as walkRows drives them); returns both results after checking that the reader attached.
 */
function sharedWalk(p: Pixels, bits: number, method: BlockhashMethod, bandRows: number) {
  const host = pdq.rowPass!(p, DEFAULT_HASH_OPTIONS)!;
  const sums = blockSumsPass(p, bits, method);
  expect(host.shareBands!([sums.bandReader!], bandRows)).toEqual([sums.bandReader]);
  for (let y = 0; y < p.height; y += bandRows) {
    const end = Math.min(p.height, y + bandRows);
    host.rows(y, end);
    sums.rows(y, end);
  }
  return { pdq: host.finish(), sums: sums.finish() };
}

describe('blockhash block sums read from the band PDQ copied (one copy for both)', () => {
  it.each([
    [64, 64, 3, 0],
    [65, 67, 4, 0],
    [1023, 769, 4, 0],
    [999, 301, 3, 5],
    [4097, 64, 3, 0],
    [64, 4097, 4, 3],
    [1024, 768, 3, 0],
  ] as const)('%ix%i, %i channels, %i bytes of padding: the same sums and PDQ as each alone, and blockhash-core agrees', (w, h, channels, pad) => {
    const p = image(w, h, channels, w * 3 + h + channels, pad);
    const alone = show(pdq.fromPixels(p, DEFAULT_HASH_OPTIONS));
    for (const bandRows of [1, 2, 7, Math.max(1, Math.floor((128 * 1024) / p.stride))]) {
      for (const [bits, method] of [
        [16, 'precise'],
        [16, 'quick'],
        [12, 'precise'],
        [8, 'quick'],
      ] as const) {
        const label = `${bits} bits ${method}, bands of ${bandRows}`;
        const walked = sharedWalk(p, bits, method, bandRows);
        expect(show(walked.pdq), label).toEqual(alone);
        const own = blockSums(p, bits, method);
        expect(Array.from(walked.sums.sums), label).toEqual(Array.from(own.sums));
        expect(Array.from(walked.sums.sums), label).toEqual(Array.from(blockSums(p, bits, method, false).sums));
      }
    }
    for (const method of ['precise', 'quick'] as const) {
      const pass = blockhashPass(p, 16, method);
      const host = pdq.rowPass!(p, DEFAULT_HASH_OPTIONS)!;
      expect(host.shareBands!([pass.bandReader!], 64)).toHaveLength(1);
      for (let y = 0; y < h; y += 64) {
        host.rows(y, Math.min(h, y + 64));
        pass.rows(y, Math.min(h, y + 64));
      }
      expect(formatHex(pass.finish().hash), method).toBe(formatHex(blockhashReference(p, 16, method)));
    }
  });

  it('a band longer than the one laid out for sharing is refused, not copied over the kernel memory', () => {
    const p = image(200, 100, 3, 3);
    const host = pdq.rowPass!(p, DEFAULT_HASH_OPTIONS)!;
    const sums = blockSumsPass(p, 16, 'precise');
    const band = Math.floor((128 * 1024) / p.stride);
    expect(host.shareBands!([sums.bandReader!], band)).toHaveLength(1);
    expect(() => host.rows(0, band + 1)).toThrow(RangeError);
    host.rows(0, band);
  });

  it('walkRows shares the band at any size where PDQ and blockhash both have a pass', () => {
    const p = image(300, 200, 3, 1);
    const walked = walkRows([blockhash, pdq], p, DEFAULT_HASH_OPTIONS);
    expect([...walked.keys()]).toEqual([blockhash, pdq]);
    for (const s of [pdq, blockhash]) expect(show(walked.get(s)!()), s.name).toEqual(show(s.fromPixels(p, DEFAULT_HASH_OPTIONS)));
  });

  it('a PDQ pass that fails leaves blockhash to its own path, with its own hash', () => {
    const p = image(300, 200, 4, 2);
    const failing = {
      ...pdq,
      rowPass: (px: Pixels, o: typeof DEFAULT_HASH_OPTIONS) => {
        const pass = pdq.rowPass!(px, o)!;
        return {
          ...pass,
          rows: (y0: number, y1: number) => {
            if (y0 > 0) throw new Error('band failed');
            pass.rows(y0, y1);
          },
        };
      },
    };
    const walked = walkRows([failing, blockhash], p, DEFAULT_HASH_OPTIONS, 0);
    expect(() => walked.get(failing)!()).toThrow('band failed');
    expect(walked.has(blockhash)).toBe(false);
  });
});

describe('pdq and blockhash at once through hashBuffer: each as alone, blockhash as blockhash-core', () => {
  async function expectAsAlone(input: Buffer, label: string): Promise<void> {
    const both = await hashBuffer(input, { signals: ['pdq', 'blockhash'] });
    for (const name of ['pdq', 'blockhash']) {
      const alone = await hashBuffer(input, { signals: [name] });
      expect(both.hashes[name], `${label} ${name}`).toEqual(alone.hashes[name]);
      expect(both.error, label).toEqual(alone.error);
    }
    const rgba = (await decodeImage(input, { limits: DEFAULT_DECODE_LIMITS, minSide: null, rgba: true })).pixels;
    expect(both.hashes.blockhash?.hash, label).toBe(formatHex(blockhashReference(rgba)));
  }

  it.each([
    [1, 1],
    [15, 17],
    [4097, 3],
    [65, 67],
    [1023, 769],
  ])('%ix%i RGB and RGBA PNGs and a JPEG', async (w, h) => {
    for (const channels of [3, 4] as const) {
      const p = image(w, h, channels, w + h);
      await expectAsAlone(await sharp(p.data, { raw: { width: w, height: h, channels } }).png().toBuffer(), `${w}x${h}x${channels} png`);
    }
    const p = image(w, h, 3, 5);
    await expectAsAlone(await sharp(p.data, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer(), `${w}x${h} jpeg`);
  });

  it('a 16-bit RGB PNG and a palette PNG with tRNS', async () => {
    const [w, h] = [301, 203];
    const rgb = image(w, h, 3, 7);
    const rgb16 = await sharp(rgb.data, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(rgb16).metadata()).depth).toBe('ushort');
    await expectAsAlone(rgb16, '16-bit');
    const rgba = image(w, h, 4, 9);
    const palette = await sharp(rgba.data, { raw: { width: w, height: h, channels: 4 } }).png({ palette: true, colours: 32 }).toBuffer();
    const meta = await sharp(palette).metadata();
    expect(meta.isPalette && meta.hasAlpha).toBe(true);
    await expectAsAlone(palette, 'palette+tRNS');
  });
});
