/**
 * The per-signal checklist from STYLE.md, shared by every perceptual signal's vitest file:
 *
 *   describeSignalChecklist(pdq);                       // in src/signals/pdq.test.ts
 *   describeSignalChecklist(blockhash, { options: { blockhashBits: 8 } });
 *
 * Test support only (imports vitest and sharp); nothing in the library imports it.
 */
import sharp, { type Sharp } from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSource } from '../../src/synthetic/images.js';
import { HashFormatError } from '../../src/errors.js';
import { DEFAULT_HASH_OPTIONS, type HashOptions, type PerceptualSignalType, type Pixels } from '../../src/signals/types.js';

export const CHECKLIST_SEED = 20240611;
export const CHECKLIST_WIDTH = 320;
export const CHECKLIST_HEIGHT = 240;
/**
 * 1°, not 2–3°: PDQ is rotation-sensitive. Rotated and cropped back, 2° moves PDQ by 24–58 bits
 * on 20 synthetic images and 22–60 on the 14 conformance JPEGs (median ~34-42, over its 31);
 * 1° moves it 12–40 (mostly under). blockhash moves 2–14 (synthetic) at 1°.
 */
export const SMALL_ROTATION_DEGREES = 1;

export interface ChecklistImages {
  /** A structured synthetic image (gradient, noise, shapes). */
  readonly base: Pixels;
  /** The same image rotated by a few degrees, cropped back to its size around the centre. */
  readonly smallRotation: Pixels;
  /** The same image rotated by 90°. */
  readonly quarterTurn: Pixels;
  readonly onePixel: Pixels;
}

export interface ChecklistConfig {
  readonly options?: Partial<HashOptions>;
  /** The distance that counts as a match under these options (defaults to signal.defaultThreshold). */
  readonly threshold?: number;
  /** How to parse a hash made under these options (defaults to signal.parse). */
  readonly parse?: (hex: string) => Uint8Array;
  /**
   * The small rotation to check, in degrees (default SMALL_ROTATION_DEGREES). A signal whose
   * threshold was chosen tight for false positives (blockhash) checks a smaller one.
   */
  readonly smallRotationDegrees?: number;
  /** Supply other images (defaults to makeChecklistImages()). */
  readonly images?: () => Promise<ChecklistImages>;
}

/** Decode an encoded image into packed RGBA (the blockhash conformance recipe: no ICC, no auto-orient). */
export async function toPixels(input: Buffer | Sharp): Promise<Pixels> {
  const img = Buffer.isBuffer(input) ? sharp(input, { ignoreIcc: true }) : input;
  const { data, info } = await img.toColourspace('srgb').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 4, stride: info.width * 4 };
}

export async function makeChecklistImages(
  seed = CHECKLIST_SEED,
  rotationDegrees = SMALL_ROTATION_DEGREES,
): Promise<ChecklistImages> {
  const [w, h] = [CHECKLIST_WIDTH, CHECKLIST_HEIGHT];
  const png = await generateSource(seed, w, h);
  const rotated = await sharp(png).rotate(rotationDegrees, { background: '#808080' }).png().toBuffer();
  const meta = await sharp(rotated).metadata();
  const left = Math.floor(((meta.width ?? w) - w) / 2);
  const top = Math.floor(((meta.height ?? h) - h) / 2);
  return {
    base: await toPixels(png),
    smallRotation: await toPixels(sharp(rotated).extract({ left, top, width: w, height: h })),
    quarterTurn: await toPixels(sharp(png).rotate(90)),
    onePixel: { data: Uint8Array.of(200, 120, 40, 255), width: 1, height: 1, channels: 4, stride: 4 },
  };
}

/** The same pixels with `pad` junk bytes after every row. */
export function withPaddedStride(p: Pixels, pad: number): Pixels {
  const row = p.width * p.channels;
  const stride = row + pad;
  const data = new Uint8Array(stride * p.height).fill(0xa5);
  for (let y = 0; y < p.height; y++) data.set(p.data.subarray(y * p.stride, y * p.stride + row), y * stride);
  return { ...p, data, stride };
}

/** Opaque RGBA → RGB (3 channels). */
export function dropAlpha(p: Pixels): Pixels {
  const data = new Uint8Array(p.width * p.height * 3);
  for (let y = 0, o = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++, o += 3) data.set(p.data.subarray(y * p.stride + x * 4, y * p.stride + x * 4 + 3), o);
  }
  return { data, width: p.width, height: p.height, channels: 3, stride: p.width * 3 };
}

export function describeSignalChecklist(signal: PerceptualSignalType, config: ChecklistConfig = {}): void {
  const options: HashOptions = { ...DEFAULT_HASH_OPTIONS, ...config.options };
  const threshold = config.threshold ?? signal.defaultThreshold;
  const parse = config.parse ?? signal.parse;
  const degrees = config.smallRotationDegrees ?? SMALL_ROTATION_DEGREES;
  const label = `${signal.name} checklist (${JSON.stringify(config.options ?? {})})`;

  describe(label, () => {
    let images: ChecklistImages;
    const hashOf = (p: Pixels) => signal.fromPixels(p, options);

    beforeAll(async () => {
      images = await (config.images ?? (() => makeChecklistImages(CHECKLIST_SEED, degrees)))();
    });

    it('hex round-trip is distance 0, upper case accepted, bad hex rejected', () => {
      const { hash } = hashOf(images.base);
      const hex = signal.format(hash);
      expect(hex).toMatch(/^[0-9a-f]+$/);
      expect(signal.distance(parse(hex), hash)).toBe(0);
      expect(signal.format(parse(hex.toUpperCase()))).toBe(hex);
      expect(() => parse(hex.slice(1))).toThrow(HashFormatError);
      expect(() => parse(`g${hex.slice(1)}`)).toThrow(HashFormatError);
    });

    it('an example matches itself, whatever the stride and channel layout', () => {
      const r = hashOf(images.base);
      if (signal.minQuality !== null) expect(r.quality).toBeGreaterThanOrEqual(signal.minQuality);
      expect(signal.distance(hashOf(images.base).hash, r.hash)).toBe(0);
      expect(signal.distance(hashOf(withPaddedStride(images.base, 13)).hash, r.hash)).toBe(0);
      expect(signal.distance(hashOf(dropAlpha(images.base)).hash, r.hash)).toBe(0);
    });

    it(`a ${degrees}° rotation stays within the default threshold`, () => {
      const d = signal.distance(hashOf(images.base).hash, hashOf(images.smallRotation).hash);
      expect(d).toBeLessThanOrEqual(threshold);
    });

    it('a 90° rotation does not match', () => {
      const d = signal.distance(hashOf(images.base).hash, hashOf(images.quarterTurn).hash);
      expect(d).toBeGreaterThan(threshold);
    });

    it('a 1x1 image does not throw', () => {
      const r = hashOf(images.onePixel);
      expect(r.hash).toBeInstanceOf(Uint8Array);
      expect(r.hash.length).toBe(hashOf(images.base).hash.length);
    });
  });
}
