// FIRST CUT — the PDQ/image helper refines this (shrink-on-load, colour modes, error mapping).
import sharp, { type Metadata } from 'sharp';
import { FileError } from '../errors.js';
import type { Pixels } from '../signals/types.js';

export interface DecodeLimits {
  /** Largest width*height accepted (checked from the header before decoding). */
  readonly maxPixels: number;
  /** Largest input size in bytes accepted for decoding. */
  readonly maxBytes: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxPixels: 100_000_000,
  maxBytes: 512 * 1024 * 1024,
});

export interface DecodeRequest {
  readonly limits: DecodeLimits;
  /** Shrink on load while the shorter side stays >= this; null = full resolution. */
  readonly minSide: number | null;
}

export interface DecodedImage {
  /** sRGB, 4 channels (RGBA), 8 bits, first frame, no EXIF rotation. */
  readonly pixels: Pixels;
  /** Size of the image as stored (before any shrink-on-load). */
  readonly width: number;
  readonly height: number;
  /** sharp/libvips format name: jpeg, png, webp, gif, tiff, ... */
  readonly format: string;
}

export async function decodeImage(input: Buffer | string, req: DecodeRequest): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new FileError('UNSUPPORTED_FORMAT', 'Not a supported image format');
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > req.limits.maxPixels) {
    throw new FileError('TOO_MANY_PIXELS', `Image is ${width}x${height}, over the limit of ${req.limits.maxPixels} pixels`);
  }
  try {
    const { data, info } = await sharp(input, { ignoreIcc: true, limitInputPixels: req.limits.maxPixels, pages: 1 })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      pixels: { data, width: info.width, height: info.height, channels: 4, stride: info.width * 4 },
      width,
      height,
      format: meta.format ?? 'unknown',
    };
  } catch (e) {
    throw new FileError('DECODE_FAILED', 'The image could not be decoded');
  }
}
