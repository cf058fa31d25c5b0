/**
 * vPDQ (Meta's video PDQ): one PDQ hash with its quality per selected decoded frame. Pure
 * functions only — frame selection, the reference's per-frame PDQ (full-resolution float32
 * pipeline, no pre-resize), timestamps and the reference's line format. Decoding lives in
 * src/video/ (an ffmpeg child process); matching in src/video/match.ts.
 */
import { FileError, invalidParameterError } from '../errors.js';
import { formatHex, hammingBytes, parseHex } from './hex.js';
import { hashFromBuffer64 } from './pdq/pipeline.js';
import { jaroszDecimate, PDQ_DOWNSAMPLE_DIM } from './pdq/jarosz.js';
import { jaroszDecimateRgb } from './pdq/jarosz-simd.js';
import { fillLuma } from './pdq/luma.js';
import type { Pixels, VideoSignalType } from './types.js';

export const VPDQ_FRAME_BITS = 256;
/** python-threatexchange's defaults (vpdq_util.py): frame distance, frame quality, match percentages. */
export const VPDQ_FRAME_THRESHOLD = 31;
export const VPDQ_MIN_QUALITY = 50;
export const VPDQ_QUERY_MATCH_PERCENT = 80;
export const VPDQ_COMPARED_MATCH_PERCENT = 0;
/** python-threatexchange and HMA hash one frame per second; the reference CLI's own default is 0 (every frame). */
export const VPDQ_DEFAULT_SECONDS_PER_HASH = 1;
/** The reference refuses frames smaller than this on a side. */
export const VPDQ_MIN_FRAME_SIDE = 5;

/** One hashed frame, as the reference writes it. */
export interface VpdqFrame {
  /** 0-based count of frames the decoder had returned (display order), not a timestamp. */
  readonly frame: number;
  readonly quality: number;
  /** 64 lowercase hex digits. */
  readonly hash: string;
  /** frame / rate in float32, printed %.3f, e.g. "0.062". */
  readonly timestamp: string;
}

/** Frame-selection step: max(1, trunc(float32(secondsPerHash) × rate)), the rate a double. */
export function frameModulus(secondsPerHash: number, frameRate: number): number {
  if (!Number.isFinite(secondsPerHash) || secondsPerHash < 0) {
    throw invalidParameterError('secondsPerHash', 'finite number >= 0', secondsPerHash);
  }
  if (!Number.isFinite(frameRate) || frameRate <= 0) throw invalidParameterError('frameRate', 'positive number', frameRate);
  const mod = Math.trunc(Math.fround(secondsPerHash) * frameRate);
  return Number.isSafeInteger(mod) && mod >= 1 ? mod : mod >= 1 ? Number.MAX_SAFE_INTEGER : 1;
}

/** A rational rate "num/den" as the reference computes it: (double)num / (double)den; null when either is 0 or absent. */
export function rationalRate(text: string | undefined): number | null {
  const m = /^(-?\d+)\/(-?\d+)$/.exec(text ?? '');
  if (!m) return null;
  const num = Number(m[1]);
  const den = Number(m[2]);
  if (num === 0 || den === 0) return null;
  return num / den;
}

/**
 * The stream's frame rate as the reference picks it: avg_frame_rate, else r_frame_rate when the
 * average has a zero part; null when neither gives a positive rate.
 */
export function referenceFrameRate(avgFrameRate: string | undefined, rFrameRate: string | undefined): number | null {
  const rate = rationalRate(avgFrameRate) ?? rationalRate(rFrameRate);
  return rate !== null && rate > 0 && Number.isFinite(rate) ? rate : null;
}

/** float32(frame) / float32(rate), in float32. */
export function frameTimestamp(frame: number, frameRate: number): number {
  return Math.fround(Math.fround(frame) / Math.fround(frameRate));
}

/**
 * printf("%.3f") of a finite binary floating-point value: its exact decimal value rounded to
 * three places, exact ties to even (glibc's default rounding), unlike Number#toFixed.
 */
export function formatFixed3(value: number): string {
  if (!Number.isFinite(value)) throw invalidParameterError('value', 'finite number', value);
  const negative = value < 0 || Object.is(value, -0);
  const { mantissa, exponent } = decompose(Math.abs(value));
  let scaled: bigint;
  if (exponent >= 0) {
    scaled = mantissa * 1000n * (1n << BigInt(exponent));
  } else {
    const den = 1n << BigInt(-exponent);
    const num = mantissa * 1000n;
    scaled = num / den;
    const twice = 2n * (num % den);
    if (twice > den || (twice === den && (scaled & 1n) === 1n)) scaled += 1n;
  }
  const digits = scaled.toString().padStart(4, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -3)}.${digits.slice(-3)}`;
}

/** value = mantissa × 2^exponent exactly, mantissa an integer. */
function decompose(value: number): { mantissa: bigint; exponent: number } {
  if (value === 0) return { mantissa: 0n, exponent: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased !== 0) mantissa |= 1n << 52n;
  return { mantissa, exponent: (biased === 0 ? 1 : biased) - 1075 };
}

/**
 * Python's `format(x, '.3')` of a finite double (python-threatexchange and HMA write vPDQ
 * timestamps so): three significant digits correctly rounded (exact ties to even), trailing zeros
 * dropped, at least one digit after the point in fixed notation, exponent form from 1e+02 (Python switches at precision - 1) or below 1e-04.
 */
export function formatPython3(value: number): string {
  if (!Number.isFinite(value)) throw invalidParameterError('value', 'finite number', value);
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const { mantissa, exponent } = decompose(Math.abs(value));
  // value = num / den exactly.
  const num = exponent >= 0 ? mantissa << BigInt(exponent) : mantissa;
  const den = exponent >= 0 ? 1n : 1n << BigInt(-exponent);
  const pow10 = (n: number) => 10n ** BigInt(n);
  // round(value / 10^(exp-2)) with ties to even: the three significant digits at decimal exponent exp.
  const digitsAt = (exp: number): bigint => {
    const shift = exp - 2;
    const n = shift >= 0 ? num : num * pow10(-shift);
    const d = shift >= 0 ? den * pow10(shift) : den;
    let q = n / d;
    const twice = 2n * (n % d);
    if (twice > d || (twice === d && (q & 1n) === 1n)) q += 1n;
    return q;
  };
  // log10 may be one off near powers of ten, and rounding may carry to 1000: settle on 100..999.
  let e = Math.floor(Math.log10(Math.abs(value)));
  let digits = digitsAt(e);
  if (digits < 100n) digits = digitsAt(--e);
  if (digits >= 1000n) digits = digitsAt(++e);
  let text = digits.toString().replace(/0+$/, '');
  if (e >= 2 || e < -4) {
    const mant = text.length > 1 ? `${text[0]}.${text.slice(1)}` : text;
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) text = `0.${'0'.repeat(-e - 1)}${text}`;
  else if (text.length <= e + 1) text = `${text.padEnd(e + 1, '0')}.0`;
  else text = `${text.slice(0, e + 1)}.${text.slice(e + 1)}`;
  return `${sign}${text}`;
}

/** python-threatexchange's and HMA's vPDQ signal string: a JSON array of `hash,quality,timestamp`. */
export function formatVpdqSignal(frames: readonly VpdqFrame[], frameRate: number): string {
  const items = [...frames].sort((a, b) => a.frame - b.frame).map((f) => `${f.hash},${f.quality},${formatPython3(frameTimestamp(f.frame, frameRate))}`);
  return `[${items.map((i) => JSON.stringify(i)).join(', ')}]`;
}

/** Whether a decoded frame is hashed: the reference's `frameNumber % frameMod == 0`. */
export function isSelectedFrame(frame: number, modulus: number): boolean {
  return frame % modulus === 0;
}

/**
 * The reference's per-frame PDQ on RGB pixels: float32 luma 0.299f*R + 0.587f*G + 0.114f*B left to
 * right (no grey shortcut), a 64x64 frame used as is, otherwise two Jarosz passes and decimation
 * (the WebAssembly SIMD kernel for 3-channel pixels where available and `simd` is not false, the
 * JS loops otherwise: the same float32 operations, bit for bit).
 */
export function hashRgbFrame(pixels: Pixels, simd = true): { hash: Uint8Array; quality: number } {
  const { width, height, channels } = pixels;
  if (channels < 3) throw invalidParameterError('pixels.channels', '3 or 4', channels);
  if (width < VPDQ_MIN_FRAME_SIDE || height < VPDQ_MIN_FRAME_SIDE) {
    throw new FileError('DECODE_FAILED', `Video frames of ${width}x${height} are too small to hash (under ${VPDQ_MIN_FRAME_SIDE} px on a side)`);
  }
  const buffer64 = new Float32Array(PDQ_DOWNSAMPLE_DIM * PDQ_DOWNSAMPLE_DIM);
  const square = width === PDQ_DOWNSAMPLE_DIM && height === PDQ_DOWNSAMPLE_DIM;
  if (!square && simd && jaroszDecimateRgb(pixels, buffer64)) {
    const r = hashFromBuffer64(buffer64);
    return { hash: r.hash, quality: r.quality };
  }
  const count = width * height;
  if (luma.length < count) {
    luma = new Float32Array(count);
    scratch = new Float32Array(count);
  }
  const plane = luma.subarray(0, count);
  fillLuma(pixels, { width, height }, 'float32', false, plane);
  if (square) buffer64.set(plane);
  else jaroszDecimate(plane, scratch.subarray(0, count), width, height, buffer64);
  const r = hashFromBuffer64(buffer64);
  return { hash: r.hash, quality: r.quality };
}

/** Float planes reused across frames of one video (frames share a size). */
let luma = new Float32Array(0);
let scratch = new Float32Array(0);

/** The reference's line: `frame,quality,hash,timestamp`. */
export function formatVpdqLine(f: VpdqFrame): string {
  return `${f.frame},${f.quality},${f.hash},${f.timestamp}`;
}

/** The reference's file: one line per frame sorted by frame number, each ending in a newline; empty when no frames. */
export function formatVpdqFile(frames: readonly VpdqFrame[]): string {
  return [...frames]
    .sort((a, b) => a.frame - b.frame)
    .map((f) => `${formatVpdqLine(f)}\n`)
    .join('');
}

export const vpdq: VideoSignalType = Object.freeze({
  name: 'vpdq',
  kind: 'video' as const,
  media: 'video' as const,
  contentTypes: Object.freeze(['video']),
  bits: VPDQ_FRAME_BITS,
  defaultThreshold: VPDQ_FRAME_THRESHOLD,
  minQuality: VPDQ_MIN_QUALITY,
  description: "Meta's vPDQ video hash: a PDQ hash and quality per sampled frame",
  parse: (hex: string) => parseHex(hex, VPDQ_FRAME_BITS, 'vpdq'),
  format: formatHex,
  distance: hammingBytes,
});
