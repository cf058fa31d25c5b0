/**
 * One decode per file for every perceptual signal: sharp/libvips, first frame only, no EXIF
 * rotation, no ICC transform (the references apply neither), any colour model converted to 8-bit
 * sRGB, RGBA (an opaque alpha added where the image has none) unless the caller takes the image's own
 * bands (`rgba: false`: RGB, or RGBA when it has alpha; adding alpha is a libvips pass over every
 * pixel, a sizeable share of a JPEG decode). When every requested signal allows it (`minSide`), a large image is
 * shrunk while decoding so it is never held at full size: a JPEG at libjpeg's own 1/2, 1/4 or
 * 1/8 scale plus a small Lanczos reduce (shrinkTarget), other formats by a Lanczos reduce to a
 * shorter side of exactly minSide (WebP with shrink-on-load).
 * Failures are FileErrors with stable codes; messages never carry file contents.
 */
import { open, readFile, stat } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { FileError, type FileErrorCode } from '../errors.js';
import type { Pixels } from '../types.js';
import { jpegSize } from './jpeg-header.js';

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
  /**
   * true (default): always 4 channels, RGBA. false: 3 channels for an image without alpha, 4 for
   * one with it (for signals that never read alpha: no pass is spent adding it).
   */
  readonly rgba?: boolean;
}

export interface DecodedImage {
  /** sRGB, 8 bits, first frame, no EXIF rotation; RGBA, or RGB where `rgba: false` and the image has no alpha. */
  readonly pixels: Pixels;
  /** Size of the image as stored (before any shrink-on-load). */
  readonly width: number;
  readonly height: number;
  /** sharp/libvips format name: jpeg, png, webp, gif, tiff, ... */
  readonly format: string;
  /** True when the pixels are smaller than the stored image (minSide allowed a shrink). */
  readonly shrunk: boolean;
}

/** Vector and document formats are rendered, not decoded; they are not images this tool hashes. */
const REJECTED_FORMATS: ReadonlySet<string> = new Set(['svg', 'pdf']);
const REASON_MAX_CHARS = 80;
/**
 * Non-JPEG images shrink only when the shorter side is at least this many times minSide: below
 * that, resizing costs about what hashing fewer pixels saves (docs/pdq.md).
 */
export const SHRINK_MIN_FACTOR = 2;

/**
 * A short, printable reason from a sharp/libvips error: its first line, quoted parts (paths,
 * bytes) removed, printable ASCII only, bounded length.
 */
export function cleanReason(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const line = (raw.split(/\r?\n/, 1)[0] ?? '')
    .replace(/"[^"]*"|'[^']*'/g, '…')
    .replace(/[^\x20-\x7e…]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return line.length > REASON_MAX_CHARS ? `${line.slice(0, REASON_MAX_CHARS)}…` : line || 'unknown error';
}

function isUnsupported(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /unsupported image format|not a known (file )?format|is not in a known format/i.test(m);
}

function fail(code: FileErrorCode, message: string): never {
  throw new FileError(code, message);
}

async function checkInputSize(input: string, limits: DecodeLimits): Promise<void> {
  let info;
  try {
    info = await stat(input);
    if (info.isFile()) await (await open(input, 'r')).close();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    fail('UNREADABLE', `The file could not be read (${code})`);
  }
  if (!info.isFile()) fail('NOT_A_FILE', 'Not a regular file');
  checkSize(info.size, limits);
}

function checkSize(size: number, limits: DecodeLimits): void {
  if (size === 0) fail('EMPTY_FILE', 'The file is empty');
  if (size > limits.maxBytes) fail('TOO_LARGE', `The file is ${size} bytes, over the limit of ${limits.maxBytes} bytes`);
}

/**
 * A path is read into memory before libvips sees it: libvips parses a trailing `[...]` in a
 * file name as load options (`x.jpg[shrink=2]`), and a file on seized storage may be named so.
 */
async function readWhole(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    fail('UNREADABLE', `The file could not be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

async function readHeader(input: Buffer): Promise<Metadata> {
  try {
    return await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    if (isUnsupported(e)) fail('UNSUPPORTED_FORMAT', 'Not a supported image format');
    fail('DECODE_FAILED', `The image header could not be read: ${cleanReason(e)}`);
  }
}

/**
 * JPEG scales libjpeg decodes at directly (1/8, 1/4, 1/2), largest first. sharp uses scale s only
 * when the requested shrink is at least s + 1 (it steps down when the shrink's integer part equals
 * s, guarding against libjpeg's rounding up), so a target of size/(s+1) decodes at 1/s and leaves
 * only a reduce by (s+1)/s. Asking for exactly 1/s would decode at 1/(s/2) and reduce by 2.
 */
const JPEG_SCALES = [8, 4, 2] as const;

/**
 * The target box for shrink-on-load, or null to decode at full size. JPEG: the smallest
 * size/(s+1) whose shorter side is still >= minSide. Other formats: shorter side = minSide,
 * aspect ratio kept, when the image is at least SHRINK_MIN_FACTOR times that.
 */
export function shrinkTarget(
  width: number,
  height: number,
  minSide: number | null,
  format: string,
): { width: number; height: number } | null {
  if (minSide === null) return null;
  const shorter = Math.min(width, height);
  if (format === 'jpeg') {
    const s = JPEG_SCALES.find((k) => Math.floor(shorter / (k + 1)) >= minSide);
    return s === undefined ? null : { width: Math.floor(width / (s + 1)), height: Math.floor(height / (s + 1)) };
  }
  if (shorter < minSide * SHRINK_MIN_FACTOR) return null;
  return width <= height
    ? { width: minSide, height: Math.max(minSide, Math.round((height * minSide) / width)) }
    : { width: Math.max(minSide, Math.round((width * minSide) / height)), height: minSide };
}

function pipeline(input: Buffer, req: DecodeRequest, target: { width: number; height: number } | null): Sharp {
  let img = sharp(input, {
    ignoreIcc: true,
    limitInputPixels: Number.isFinite(req.limits.maxPixels) ? req.limits.maxPixels : false,
    pages: 1,
    page: 0,
    failOn: 'warning',
  });
  if (target) img = img.resize({ ...target, fit: 'fill', fastShrinkOnLoad: true });
  img = img.toColourspace('srgb');
  return req.rgba === false ? img : img.ensureAlpha();
}

/**
 * Settings for a thread of a worker pool that decodes its own files: libvips' own thread
 * pool off (the pool's threads are the parallelism; with both, N workers run N x cores libvips
 * threads and a 1-worker run borrows the other cores) and no operation cache (every file is
 * seen once). Process-wide in libvips; call it only where every decode runs on pool threads.
 */
export function decodeOnPoolThreads(): void {
  sharp.concurrency(1);
  sharp.cache(false);
}

export async function decodeImage(path: Buffer | string, req: DecodeRequest): Promise<DecodedImage> {
  // A buffer holding a JPEG reaches libvips before the first await, so the caller's own work overlaps the decode.
  if (typeof path === 'string') await checkInputSize(path, req.limits);
  else checkSize(path.length, req.limits);
  const input = typeof path === 'string' ? await readWhole(path) : path;
  const jpeg = jpegSize(input);
  const meta: Pick<Metadata, 'format' | 'width' | 'height' | 'pageHeight'> = jpeg ? { format: 'jpeg', ...jpeg } : await readHeader(input);
  const format = meta.format ?? 'unknown';
  if (REJECTED_FORMATS.has(format)) fail('UNSUPPORTED_FORMAT', `${format} is not a raster image format this tool hashes`);
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width < 1 || height < 1) fail('DECODE_FAILED', 'The image header gives no size');
  if (width * height > req.limits.maxPixels) {
    fail('TOO_MANY_PIXELS', `The image is ${width}x${height}, over the limit of ${req.limits.maxPixels} pixels`);
  }
  const target = shrinkTarget(width, height, req.minSide, format);
  try {
    const { data, info } = await pipeline(input, req, target).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = info.channels;
    if (channels !== 4 && (channels !== 3 || req.rgba !== false)) fail('DECODE_FAILED', `Unexpected ${channels}-channel output`);
    const pixels: Pixels = { data, width: info.width, height: info.height, channels, stride: info.width * channels };
    return { pixels, width, height, format, shrunk: target !== null };
  } catch (e) {
    if (e instanceof FileError) throw e;
    if (/pixel limit/i.test(String(e))) fail('TOO_MANY_PIXELS', 'The image is over the pixel limit');
    fail('DECODE_FAILED', `The image could not be decoded: ${cleanReason(e)}`);
  }
}
