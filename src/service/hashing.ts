import type { DecodeLimits } from '../image/decode.js';
import type { SignalHash } from '../results.js';
import { createPool, type Hasher } from '../scan/pool.js';
import { isPerceptual } from '../signals/registry.js';
import { DEFAULT_HASH_OPTIONS, type SignalType } from '../signals/types.js';
import { formatVpdqSignal } from '../signals/vpdq.js';
import { fileErrorStatus, HttpError } from './errors.js';

export interface HashingOptions {
  /** Hash pool threads. */
  readonly workers: number;
  /** Uploads hashing or queued at once; beyond it requests get 503 with Retry-After. */
  readonly maxInFlight: number;
  /** Per-upload hashing limit in ms. */
  readonly timeoutMs: number;
  readonly limits?: Partial<DecodeLimits>;
}

const UPLOAD_LABEL = '<upload>';
const RETRY_AFTER_S = 1;

/**
 * Hashes uploads in the worker pool, from memory (the bytes move to a worker; nothing touches
 * disk), and refuses work beyond a bound instead of queueing without limit.
 */
export class HashingService {
  private inFlight = 0;

  private constructor(
    private readonly hasher: Promise<Hasher>,
    private readonly opts: HashingOptions,
  ) {
    // A pool that failed to start fails each upload (500), not the process.
    hasher.catch(() => {});
  }

  /** Starts the pool's threads in the background: the service listens while they load. */
  static start(opts: HashingOptions): HashingService {
    return new HashingService(createPool({ workers: opts.workers, fileTimeoutMs: opts.timeoutMs }), opts);
  }

  /** Requests hashing or waiting for a thread now. */
  get queueDepth(): number {
    return this.inFlight;
  }

  /** Reserve a slot before reading an upload's body; throws 503 when the pool is saturated. */
  reserve(): () => void {
    if (this.inFlight >= this.opts.maxInFlight) {
      throw new HttpError(503, 'Too many hashing requests in flight; retry shortly', 'BUSY', RETRY_AFTER_S);
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (!released) this.inFlight--;
      released = true;
    };
  }

  /**
   * Hash bytes with these signals; resolves to hex per signal name. Content the signals cannot
   * use (not an image, truncated, too many pixels, low quality) throws HttpError 4xx.
   */
  async hash(bytes: Uint8Array, signals: readonly SignalType[], dihedral = false): Promise<Record<string, SignalHash>> {
    if (bytes.length === 0) throw new HttpError(400, 'The upload is empty (0 bytes)', 'EMPTY_FILE');
    // The buffer is transferred to the worker: hand over one that owns its whole ArrayBuffer.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
    const result = await (await this.hasher).hash({
      path: UPLOAD_LABEL,
      signals: signals.map((s) => s.name),
      options: { ...DEFAULT_HASH_OPTIONS, dihedral },
      limits: this.opts.limits ?? {},
      bytes: own,
    });
    if (result.error) throw new HttpError(fileErrorStatus(result.error.code), result.error.message, result.error.code);
    const wantsVideo = signals.some((s) => s.kind === 'video');
    if (result.video && !wantsVideo) throw new HttpError(422, 'The upload is a video: send it as content_type video (multipart field "video")', 'UNSUPPORTED_FORMAT');
    if (wantsVideo && !result.video) throw new HttpError(422, 'The upload is not a video container this service recognises', 'UNSUPPORTED_FORMAT');
    // A video signal's answer is HMA's signal string for the whole video (every sampled frame).
    const hashes: Record<string, SignalHash> = { ...result.hashes };
    for (const s of signals) if (s.kind === 'video' && result.video) hashes[s.name] = { hash: formatVpdqSignal(result.video.frames, result.video.frameRate) };
    for (const s of signals) {
      const h = hashes[s.name];
      if (!h) throw new HttpError(422, `The ${s.name} hash could not be computed for this content`, 'DECODE_FAILED');
      if (h.lowQuality && isPerceptual(s)) {
        throw new HttpError(
          422,
          `The image's ${s.name} quality ${h.quality} is below ${s.minQuality}, too low to hash reliably; ask for other signals with types=`,
          'LOW_QUALITY',
        );
      }
    }
    return hashes;
  }

  async close(): Promise<void> {
    await (await this.hasher.catch(() => null))?.close();
  }
}
