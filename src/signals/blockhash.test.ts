import { readdirSync, readFileSync } from 'node:fs';
import { sep } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { HashFormatError, UsageError } from '../errors.js';
import {
  blockhash,
  blockhashPrecise,
  blockhashQuick,
  blockhashThreshold,
  checkBlockhashBits,
  parseBlockhash,
  toPackedRgba,
} from './blockhash.js';
import { BLOCKHASH_VECTORS } from '../../test/conformance/vectors.js';
import { describeSignalChecklist, toPixels, withPaddedStride } from '../../test/support/signal-checklist.js';
import { formatHex } from './hex.js';
import { DEFAULT_HASH_OPTIONS, type Pixels } from './types.js';

const CONFORMANCE = BLOCKHASH_VECTORS + sep;
const IMAGES = readdirSync(CONFORMANCE).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort();

/** The conformance README's decode recipe. */
async function recipePixels(file: string): Promise<Pixels> {
  return toPixels(sharp(CONFORMANCE + file, { ignoreIcc: true }));
}

function expected(file: string, method: 1 | 2): string {
  const stem = file.replace(/\.[^.]+$/, '');
  return readFileSync(`${CONFORMANCE}${stem}_16_${method}.txt`, 'utf8').trim().split(/\s+/)[0];
}

describe('blockhash conformance (test/conformance/blockhash)', () => {
  it('has the 17 reference images', () => {
    expect(IMAGES).toHaveLength(17);
  });

  it.each(IMAGES)('%s: precise (_16_2) and quick (_16_1) hashes are exact', async (file) => {
    const pixels = await recipePixels(file);
    expect(formatHex(blockhash.fromPixels(pixels, DEFAULT_HASH_OPTIONS).hash)).toBe(expected(file, 2));
    expect(formatHex(blockhashQuick(pixels))).toBe(expected(file, 1));
  });
});

describe('blockhash pixel handling', () => {
  const rgba: Pixels = {
    data: Uint8Array.of(10, 20, 30, 255, 40, 50, 60, 0, 70, 80, 90, 128, 1, 2, 3, 4),
    width: 2,
    height: 2,
    channels: 4,
    stride: 8,
  };

  it('passes packed RGBA through without copying', () => {
    expect(toPackedRgba(rgba)).toBe(rgba.data);
  });

  it('repacks padded rows, grey, grey+alpha and RGB into RGBA', () => {
    expect([...toPackedRgba(withPaddedStride(rgba, 3))]).toEqual([...rgba.data]);
    const grey: Pixels = { data: Uint8Array.of(7, 9, 0, 11, 13, 0), width: 2, height: 2, channels: 1, stride: 3 };
    expect([...toPackedRgba(grey)]).toEqual([7, 7, 7, 255, 9, 9, 9, 255, 11, 11, 11, 255, 13, 13, 13, 255]);
    const greyAlpha: Pixels = { data: Uint8Array.of(7, 0, 9, 255), width: 2, height: 1, channels: 2, stride: 4 };
    expect([...toPackedRgba(greyAlpha)]).toEqual([7, 7, 7, 0, 9, 9, 9, 255]);
    const rgb: Pixels = { data: Uint8Array.of(1, 2, 3, 4, 5, 6), width: 2, height: 1, channels: 3, stride: 6 };
    expect([...toPackedRgba(rgb)]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('rejects a buffer too short for its size', () => {
    expect(() => blockhashPrecise({ ...rgba, data: rgba.data.subarray(0, 10) })).toThrow(RangeError);
  });

  it('counts a fully transparent pixel as white, keeping a palette PNG transparency (C reference behaviour)', async () => {
    const [w, h] = [64, 48];
    const raw = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 4;
        const transparent = x >= w / 2 && y < h / 2;
        raw[o] = transparent ? 0 : (x * 4) & 0xff;
        raw[o + 1] = transparent ? 0 : (y * 5) & 0xff;
        raw[o + 2] = transparent ? 0 : ((x ^ y) * 8) & 0xff;
        raw[o + 3] = transparent ? 0 : 255;
      }
    }
    const png = await sharp(raw, { raw: { width: w, height: h, channels: 4 } }).png({ palette: true, colours: 64 }).toBuffer();
    const meta = await sharp(png).metadata();
    expect(meta.isPalette).toBe(true);
    expect(meta.hasAlpha).toBe(true);

    const decoded = await toPixels(png);
    const whitened = Uint8Array.from(decoded.data);
    const opaqueRgb = Uint8Array.from(decoded.data);
    let transparentCount = 0;
    for (let i = 0; i < whitened.length; i += 4) {
      if (whitened[i + 3] === 0) {
        transparentCount++;
        whitened.set([255, 255, 255], i);
      }
      whitened[i + 3] = 255;
      opaqueRgb[i + 3] = 255;
    }
    expect(transparentCount).toBe((w / 2) * (h / 2));
    const hash = formatHex(blockhashPrecise(decoded));
    expect(hash).toBe(formatHex(blockhashPrecise({ ...decoded, data: whitened })));
    expect(hash).not.toBe(formatHex(blockhashPrecise({ ...decoded, data: opaqueRgb })));
  });
});

describe('blockhash sizes', () => {
  it.each([4, 8, 12, 16, 32])('accepts %i bits a side and returns bits^2 bits', async (bits) => {
    const pixels = await recipePixels('stoplights.jpg');
    const r = blockhash.fromPixels(pixels, { ...DEFAULT_HASH_OPTIONS, blockhashBits: bits });
    expect(r.hash.length).toBe((bits * bits) / 8);
    expect(parseBlockhash(formatHex(r.hash), bits)).toEqual(r.hash);
  });

  it.each([0, 2, 5, 6, 7, 15, 17, -16, 16.5, 68, Number.NaN])('rejects %s bits with a UsageError', (bits) => {
    expect(() => checkBlockhashBits(bits)).toThrow(UsageError);
    const px: Pixels = { data: new Uint8Array(4 * 32 * 32), width: 32, height: 32, channels: 4, stride: 128 };
    expect(() => blockhash.fromPixels(px, { ...DEFAULT_HASH_OPTIONS, blockhashBits: bits })).toThrow(
      /Expected a multiple of 4 between 4 and 64 for blockhash bits but received/,
    );
  });

  it('the signal parses the default 256-bit size only (lists are stored at it); parseBlockhash takes others', () => {
    expect(blockhash.parse('a'.repeat(64))).toHaveLength(32);
    expect(() => blockhash.parse('a'.repeat(16))).toThrow(
      new HashFormatError('Expected 64 hex characters for a blockhash hash but received 16'),
    );
    expect(parseBlockhash('a'.repeat(16), 8)).toHaveLength(8);
    expect(() => parseBlockhash('a'.repeat(64), 8)).toThrow(HashFormatError);
  });

  it('default threshold is 12 of 256 bits, scaled by area for other sizes', () => {
    expect(blockhash.bits).toBe(256);
    expect(blockhash.defaultThreshold).toBe(12);
    expect(blockhashThreshold(16)).toBe(12);
    expect(blockhashThreshold(8)).toBe(4);
    expect(blockhashThreshold(32)).toBe(48);
  });
});

describeSignalChecklist(blockhash, { smallRotationDegrees: 0.5 });
describeSignalChecklist(blockhash, {
  smallRotationDegrees: 0.5,
  options: { blockhashBits: 8 },
  threshold: blockhashThreshold(8),
  parse: (hex) => parseBlockhash(hex, 8),
});
