/**
 * Hash one file, buffer or pixel buffer with any set of signals. One read serves the digests and
 * the decode; one decode serves every perceptual signal. Problems with the file become
 * `error: { code, message }` in the result (never a throw); bad options throw UsageError.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { FileError, invalidParameterError, UsageError, type FileErrorInfo } from './errors.js';
import { DEFAULT_DECODE_LIMITS, decodeImage, type DecodeLimits } from './image/decode.js';
import { escapeBytes } from './report/path-text.js';
import type { FileHashResult, SignalHash } from './results.js';
import { checkBlockhashBits } from './signals/blockhash.js';
import { getSignal, isExact, isPerceptual, isVideo, SIGNALS } from './signals/registry.js';
import { walkRows } from './signals/row-walk.js';
import { hashVideoBuffer } from './video/buffer.js';
import { videoErrorInfo } from './video/errors.js';
import { hashVideoFile, resolveVideoOptions, type VideoHashOptions } from './video/hash.js';
import { sniffVideo, VIDEO_SNIFF_BYTES } from './video/sniff.js';
import {
  DEFAULT_HASH_OPTIONS,
  DIHEDRAL_NAMES,
  PDQ_PIPELINES,
  type ExactSignalType,
  type HashOptions,
  type PerceptualResult,
  type PerceptualSignalType,
  type Pixels,
  type SignalType,
  type VideoSignalType,
} from './signals/types.js';

export const DEFAULT_SIGNAL_NAMES: readonly string[] = ['pdq', 'sha256'];
const STREAM_CHUNK_BYTES = 1 << 20;
const BUFFER_LABEL = '<buffer>';
const PIXELS_LABEL = '<pixels>';

export interface HashRequest {
  /** Signal objects or names; default pdq and sha256. */
  readonly signals?: readonly (SignalType | string)[];
  readonly hashOptions?: Partial<HashOptions>;
  readonly limits?: Partial<DecodeLimits>;
  /**
   * Stat and read the file synchronously. For a thread that hashes one file at a time (the
   * scan's and the bench's pool workers), where nothing else waits on its event loop, it saves
   * the fs/promises round trips through the libuv pool. It blocks the calling thread, so the
   * default (false) suits the main thread and any caller overlapping several files. Streamed
   * digests stay streamed.
   */
  readonly syncReads?: boolean;
  /** Video files (recognised by their first bytes): sampling, limits, where ffmpeg is. */
  readonly video?: VideoHashOptions;
  /**
   * Asked once the exact digests are known, before any decode: true skips the decode and every
   * perceptual signal (the result has `decodeSkipped`). The scan uses it for known-good files.
   */
  readonly skipDecode?: (digests: ReadonlyMap<string, SignalHash>) => boolean;
  /**
   * The file's stat when the caller already took it (hashFile only), so the file is not stat'ed
   * twice. It must describe what the path opens: a stat, or the lstat of a regular file.
   */
  readonly knownStat?: { isFile(): boolean; isDirectory(): boolean; readonly size: number };
}

interface Resolved {
  readonly exact: readonly ExactSignalType[];
  readonly perceptual: readonly PerceptualSignalType[];
  readonly order: readonly string[];
  readonly options: HashOptions;
  readonly limits: DecodeLimits;
  /** Video signals a video file gets: those asked for, else every video signal when an image signal was asked for. */
  readonly video: readonly VideoSignalType[];
  readonly videoOptions: VideoHashOptions;
}

function positiveInteger(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) {
    throw invalidParameterError(name, 'positive integer', v);
  }
}

function resolve(req: HashRequest, defaults: readonly string[] = DEFAULT_SIGNAL_NAMES): Resolved {
  const signals = [...new Set((req.signals ?? defaults).map((s) => (typeof s === 'string' ? getSignal(s) : s)))];
  if (signals.length === 0) throw new UsageError('Expected at least one signal');
  const options: HashOptions = { ...DEFAULT_HASH_OPTIONS, ...req.hashOptions };
  if (!(PDQ_PIPELINES as readonly string[]).includes(options.pdqPipeline)) {
    throw invalidParameterError('pdqPipeline', `one of ${PDQ_PIPELINES.join(', ')}`, options.pdqPipeline);
  }
  checkBlockhashBits(options.blockhashBits);
  const limits: DecodeLimits = { ...DEFAULT_DECODE_LIMITS, ...req.limits };
  positiveInteger('maxPixels', limits.maxPixels);
  positiveInteger('maxBytes', limits.maxBytes);
  const perceptual = signals.filter(isPerceptual);
  const askedVideo = signals.filter(isVideo);
  const video = askedVideo.length > 0 || perceptual.length === 0 ? askedVideo : [...SIGNALS.values()].filter(isVideo);
  const videoOptions = { ...req.video, ...resolveVideoOptions(req.video ?? {}) };
  return {
    exact: signals.filter(isExact),
    perceptual,
    order: [...signals.map((s) => s.name), ...video.filter((v) => !askedVideo.includes(v)).map((v) => v.name)],
    options,
    limits,
    video,
    videoOptions,
  };
}

/** How one decode serves a set of signals (the part of a DecodeRequest that the signals decide). */
export interface DecodeShape {
  /** The shrink-on-load bound every perceptual signal accepts; null = full resolution, also when none decodes. */
  readonly minSide: number | null;
  /** Whether any of them reads alpha (else the image's own bands: no alpha pass). */
  readonly rgba: boolean;
}

/**
 * The decode shape for these signals. The bench's decode floor uses it too, so it decodes exactly
 * as hashing does.
 */
export function decodeShapeFor(signals: readonly SignalType[], options: HashOptions): DecodeShape {
  const perceptual = signals.filter(isPerceptual);
  let side: number | null = perceptual.length > 0 ? 0 : null;
  for (const s of perceptual) {
    const m = s.minDecodeSide(options);
    side = m === null || side === null ? null : Math.max(side, m);
  }
  return { minSide: side, rgba: perceptual.some((s) => s.readsAlpha) };
}

function ordered(order: readonly string[], hashes: Map<string, SignalHash>): Record<string, SignalHash> {
  const out: Record<string, SignalHash> = {};
  for (const name of order) {
    const h = hashes.get(name);
    if (h) out[name] = h;
  }
  return out;
}

function perceptualHash(signal: PerceptualSignalType, r: PerceptualResult, options: HashOptions): SignalHash {
  const out: { -readonly [K in keyof SignalHash]: SignalHash[K] } = { hash: signal.format(r.hash) };
  if (r.quality !== undefined) {
    out.quality = r.quality;
    if (signal.minQuality !== null && r.quality < signal.minQuality) out.lowQuality = true;
  }
  if (options.dihedral && r.dihedral) {
    const d = r.dihedral;
    out.dihedral = Object.fromEntries(DIHEDRAL_NAMES.map((n) => [n, signal.format(d[n])])) as SignalHash['dihedral'];
  }
  return out;
}

/** Runs every perceptual signal on the pixels; the first failure becomes the error. */
function hashAllPixels(r: Resolved, pixels: Pixels, into: Map<string, SignalHash>): FileErrorInfo | undefined {
  let error: FileErrorInfo | undefined;
  const walked = walkRows(r.perceptual, pixels, r.options);
  for (const s of r.perceptual) {
    try {
      into.set(s.name, perceptualHash(s, (walked.get(s) ?? (() => s.fromPixels(pixels, r.options)))(), r.options));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      error ??= e instanceof FileError ? e.toInfo() : { code: 'DECODE_FAILED', message: `The ${s.name} hash could not be computed for this image` };
    }
  }
  return error;
}

function asInfo(e: unknown): FileErrorInfo {
  if (e instanceof FileError) return e.toInfo();
  return { code: 'DECODE_FAILED', message: 'The image could not be decoded' };
}

async function decodeAndHash(
  r: Resolved,
  input: Buffer,
  hashes: Map<string, SignalHash>,
): Promise<Pick<FileHashResult, 'width' | 'height' | 'format' | 'error'>> {
  if (r.perceptual.length === 0) return {};
  if (input.length > r.limits.maxBytes) {
    return { error: { code: 'TOO_LARGE', message: `File is ${input.length} bytes, over the decode limit of ${r.limits.maxBytes}` } };
  }
  let decoded;
  try {
    decoded = await decodeImage(input, { limits: r.limits, ...decodeShapeFor(r.perceptual, r.options) });
  } catch (e) {
    return { error: asInfo(e) };
  }
  const error = hashAllPixels(r, decoded.pixels, hashes);
  return { width: decoded.width, height: decoded.height, format: decoded.format, ...(error && { error }) };
}

function digestsOf(signals: readonly ExactSignalType[]): { update(b: Uint8Array): void; finish(into: Map<string, SignalHash>): void } {
  const hashers: [ExactSignalType, Hash][] = signals.map((s) => [s, createHash(s.algorithm)]);
  return {
    update: (b) => hashers.forEach(([, h]) => h.update(b)),
    finish: (into) => hashers.forEach(([s, h]) => into.set(s.name, { hash: s.format(h.digest()) })),
  };
}

function fsErrorInfo(e: unknown): FileErrorInfo {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return { code: 'UNREADABLE', message: 'No such file (or a dangling symbolic link)' };
    case 'EACCES':
    case 'EPERM':
      return { code: 'UNREADABLE', message: 'Permission denied' };
    case 'EISDIR':
      return { code: 'NOT_A_FILE', message: 'Is a directory, not a file' };
    case 'ELOOP':
      return { code: 'UNREADABLE', message: 'Too many levels of symbolic links' };
    case 'ENOTDIR':
      return { code: 'UNREADABLE', message: 'A component of the path is not a directory' };
    default:
      return { code: 'UNREADABLE', message: `The file could not be read${code ? ` (${code})` : ''}` };
  }
}

async function streamDigests(path: string | Buffer, r: Resolved, hashes: Map<string, SignalHash>): Promise<number> {
  const digests = digestsOf(r.exact);
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: STREAM_CHUNK_BYTES })) {
    size += (chunk as Buffer).length;
    digests.update(chunk as Buffer);
  }
  digests.finish(hashes);
  return size;
}

/**
 * Hash a file. Files up to the decode byte limit are read once, digested and decoded; larger
 * ones are streamed through the digests and get TOO_LARGE for the perceptual signals. Digests
 * that were computed stay in `hashes` even when the decode fails.
 */
export async function hashFile(file: string | Buffer, req: HashRequest = {}): Promise<FileHashResult> {
  const r = resolve(req);
  // A name that is not UTF-8 is opened by its bytes and reported in its escaped form.
  const path = typeof file === 'string' ? file : escapeBytes(file);
  const hashes = new Map<string, SignalHash>();
  const fail = (size: number, error: FileErrorInfo): FileHashResult => ({ path, size, hashes: ordered(r.order, hashes), error });
  let size: number;
  try {
    const st = req.knownStat ?? (req.syncReads ? statSync(file) : await stat(file));
    if (!st.isFile()) {
      return fail(0, { code: 'NOT_A_FILE', message: st.isDirectory() ? 'Is a directory, not a file' : 'Not a regular file' });
    }
    size = st.size;
  } catch (e) {
    return fail(0, fsErrorInfo(e));
  }
  if (size === 0) return fail(0, { code: 'EMPTY_FILE', message: 'The file is empty (0 bytes)' });

  if (r.perceptual.length === 0 || size > r.limits.maxBytes) {
    let container: string | null = null;
    try {
      container = r.video.length > 0 ? sniffVideo(await readHead(file)) : null;
      size = await streamDigests(file, r, hashes);
    } catch (e) {
      return fail(size, fsErrorInfo(e));
    }
    if (container) return hashVideo({ file }, path, size, r, hashes, container);
    if (r.perceptual.length === 0) return { path, size, hashes: ordered(r.order, hashes) };
    if (req.skipDecode?.(hashes)) return { path, size, hashes: ordered(r.order, hashes), decodeSkipped: true };
    return fail(size, { code: 'TOO_LARGE', message: `File is ${size} bytes, over the decode limit of ${r.limits.maxBytes}` });
  }

  let bytes: Buffer;
  try {
    bytes = req.syncReads ? readFileSync(file) : await readFile(file);
  } catch (e) {
    return fail(size, fsErrorInfo(e));
  }
  return hashLoaded(path, bytes, r, hashes, req.skipDecode, file);
}

/** `file` is where a video is read from again (ffmpeg reads the file itself); null: the bytes are all there is. */
async function hashLoaded(
  path: string,
  bytes: Buffer,
  r: Resolved,
  hashes: Map<string, SignalHash>,
  skipDecode?: HashRequest['skipDecode'],
  file: string | Buffer | null = null,
): Promise<FileHashResult> {
  if (bytes.length === 0) return { path, size: 0, hashes: {}, error: { code: 'EMPTY_FILE', message: 'The file is empty (0 bytes)' } };
  const container = r.video.length > 0 ? sniffVideo(bytes.subarray(0, VIDEO_SNIFF_BYTES)) : null;
  // When nothing waits on the digests, the decode starts first (libvips works on a libuv thread) and they are computed meanwhile.
  const early = !container && !skipDecode && r.perceptual.length > 0 ? decodeAndHash(r, bytes, hashes) : null;
  early?.catch(() => undefined);
  const digests = digestsOf(r.exact);
  digests.update(bytes);
  digests.finish(hashes);
  const skip = early === null && skipDecode?.(hashes) === true;
  if (container && !skip) return hashVideo(file === null ? { bytes } : { file }, path, bytes.length, r, hashes, container);
  if (r.perceptual.length > 0 && skip) return { path, size: bytes.length, hashes: ordered(r.order, hashes), decodeSkipped: true };
  const rest = await (early ?? decodeAndHash(r, bytes, hashes));
  return { path, size: bytes.length, hashes: ordered(r.order, hashes), ...rest };
}

async function readHead(file: string | Buffer): Promise<Uint8Array> {
  const fh = await open(file, 'r');
  try {
    const buf = new Uint8Array(VIDEO_SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * A file whose first bytes say video: digests (already in `hashes`) plus the vPDQ frames from
 * ffmpeg, which reads the file itself, or bytes in memory (an upload) served to it.
 */
async function hashVideo(
  source: { readonly file: string | Buffer } | { readonly bytes: Uint8Array },
  path: string,
  size: number,
  r: Resolved,
  hashes: Map<string, SignalHash>,
  container: string,
): Promise<FileHashResult> {
  try {
    const options = { ...r.videoOptions, container };
    const v = 'file' in source ? await hashVideoFile(source.file, options) : await hashVideoBuffer(source.bytes, options);
    const video = { frames: v.frames, frameRate: v.frameRate, secondsPerHash: v.secondsPerHash, codec: v.codec };
    return { path, size, hashes: ordered(r.order, hashes), width: v.width, height: v.height, format: 'video', video };
  } catch (e) {
    return { path, size, hashes: ordered(r.order, hashes), format: 'video', error: videoErrorInfo(e) };
  }
}

/** Hash an encoded image (or any bytes, for the exact digests) already in memory. */
export async function hashBuffer(bytes: Buffer | Uint8Array, req: HashRequest & { readonly path?: string } = {}): Promise<FileHashResult> {
  const r = resolve(req);
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return hashLoaded(req.path ?? BUFFER_LABEL, buf, r, new Map(), req.skipDecode);
}

/**
 * Hash decoded pixels with perceptual signals (default: those among pdq, sha256 — that is pdq).
 * Exact digests need file bytes, so asking for one here is a UsageError. `size` is the pixel
 * buffer's length in bytes.
 */
export function hashPixels(pixels: Pixels, req: HashRequest & { readonly path?: string } = {}): FileHashResult {
  const perceptualDefaults = DEFAULT_SIGNAL_NAMES.filter((n) => isPerceptual(getSignal(n)));
  const r = resolve(req, perceptualDefaults);
  if (r.exact.length > 0) {
    throw new UsageError(`${r.exact.map((s) => s.name).join(', ')} hash file bytes; use hashFile or hashBuffer for them`);
  }
  const hashes = new Map<string, SignalHash>();
  const error = hashAllPixels(r, pixels, hashes);
  return {
    path: req.path ?? PIXELS_LABEL,
    size: pixels.data.byteLength,
    hashes: ordered(r.order, hashes),
    width: pixels.width,
    height: pixels.height,
    ...(error && { error }),
  };
}
