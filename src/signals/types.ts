/**
 * The signal-type contract. One object per algorithm (see registry.ts); everything else
 * (import, index, scan, report) is generic over it and never switches on a name.
 *
 * A hash is always a Uint8Array of `bits / 8` bytes, in the same big-endian order as its hex
 * form: byte 0 is the first two hex characters, and bit 0 (the least significant bit of the
 * integer the hex spells) is the lowest bit of the last byte.
 */

import type { Pixels } from '../types.js';
import type { WasmMemory } from '../wasm/module.js';

export type { Pixels };

/** The ways pixels reach the PDQ hash (see src/signals/pdq.ts); the one list every caller checks against. */
export const PDQ_PIPELINES = ['fast', 'fullres', 'cpp'] as const;
export type PdqPipeline = (typeof PDQ_PIPELINES)[number];

/** Options every hashing entry point accepts; each signal reads only what concerns it. */
export interface HashOptions {
  /** PDQ: how pixels reach the hash. See src/signals/pdq.ts. */
  readonly pdqPipeline: PdqPipeline;
  /** PDQ: also compute the 8 dihedral (rotation/mirror) hashes. */
  readonly dihedral: boolean;
  /** blockhash: bits per side (multiple of 4); hash length is bits^2. */
  readonly blockhashBits: number;
}

export const DEFAULT_HASH_OPTIONS: HashOptions = Object.freeze({
  pdqPipeline: 'fast',
  dihedral: false,
  blockhashBits: 16,
});

export type DihedralName =
  | 'orig'
  | 'rot90'
  | 'rot180'
  | 'rot270'
  | 'flipx'
  | 'flipy'
  | 'flipplus1'
  | 'flipminus1';

export const DIHEDRAL_NAMES: readonly DihedralName[] = [
  'orig',
  'rot90',
  'rot180',
  'rot270',
  'flipx',
  'flipy',
  'flipplus1',
  'flipminus1',
];

export interface PerceptualResult {
  readonly hash: Uint8Array;
  /** 0..100 where the algorithm has a quality metric (PDQ). */
  readonly quality?: number;
  /** The 8 dihedral hashes, when asked for and supported. */
  readonly dihedral?: Readonly<Record<DihedralName, Uint8Array>>;
}

export interface SignalTypeBase {
  /** Unique, lowercase, used in CLI flags, lists and reports. */
  readonly name: string;
  readonly kind: 'perceptual' | 'exact' | 'video';
  /** Hash length in bits (for blockhash: the default size). */
  readonly bits: number;
  /** Largest distance that counts as a match (0 for exact digests). */
  readonly defaultThreshold: number;
  readonly description: string;
  /** Parse lowercase or uppercase hex; throws HashFormatError with a message a person can act on. */
  parse(hex: string): Uint8Array;
  /** Lowercase hex. */
  format(hash: Uint8Array): string;
  /** Hamming distance (exact digests: 0 when equal, else the number of differing bits). */
  distance(a: Uint8Array, b: Uint8Array): number;
}

export interface PerceptualSignalType extends SignalTypeBase {
  readonly kind: 'perceptual';
  /** Below this quality a hash is reported as low quality and never matches; null = no metric. */
  readonly minQuality: number | null;
  /** Whether this signal can compute dihedral hashes (and so be matched with --dihedral). */
  readonly supportsDihedral: boolean;
  /**
   * The smallest image (shorter side, in pixels) this signal can work from under these options,
   * or null when it needs full resolution. The decoder shrinks on load only as far as every
   * requested perceptual signal allows.
   */
  minDecodeSide(options: HashOptions): number | null;
  /**
   * Whether fromPixels reads an alpha channel. The decoder adds one (a pass over every pixel)
   * only when a requested signal does; otherwise pixels are RGB, or RGBA when the image has alpha.
   */
  readonly readsAlpha: boolean;
  /** Pure: hash decoded pixels. Never performs I/O. */
  fromPixels(pixels: Pixels, options: HashOptions): PerceptualResult;
  /**
   * Optional: fromPixels' result computed band by band, so that several signals read each band of
   * a large image while it is in cache (one walk over memory, not one per signal). Null where
   * these pixels or options take fromPixels' own path. Throws as fromPixels does on bad pixels.
   */
  rowPass?(pixels: Pixels, options: HashOptions): RowPass | null;
}

/** One signal's share of a walk over the rows: `rows(y0, y1)` for consecutive bands from row 0 to the last, then `finish()`. */
export interface RowPass {
  rows(y0: number, y1: number): void;
  finish(): PerceptualResult;
  /** A pass that can read its bands from another pass's copy (shareBands). */
  readonly bandReader?: BandReader;
  /**
   * A pass that copies each band into a WebAssembly memory: from now on it copies every band
   * of up to `maxRows` rows whole, and each reader it returns (those that attached) reads it
   * there in its own `rows(y0, y1)`, called right after this pass's `rows(y0, y1)`.
   */
  shareBands?(readers: readonly BandReader[], maxRows: number): BandReader[];
}

/** The reading side of a shared band (RowPass.shareBands). */
export interface BandReader {
  /** Bytes it needs in the host's memory (16-aligned) for bands of up to `maxRows` rows. */
  scratchBytes(maxRows: number): number;
  /** Reads each band at `pixAt` (rows `stride` apart) and keeps its own data at `scratchAt`; false where it cannot. */
  attach(memory: WasmMemory, pixAt: number, scratchAt: number, maxRows: number): boolean;
}

export interface ExactSignalType extends SignalTypeBase {
  readonly kind: 'exact';
  /** The node:crypto algorithm name. */
  readonly algorithm: string;
}

/**
 * A signal over a whole video (vPDQ): a set of per-frame hashes, computed from the file by an
 * external decoder (src/video/), never from one pixel buffer. parse/format/distance are per frame.
 */
export interface VideoSignalType extends SignalTypeBase {
  readonly kind: 'video';
  /** The media this signal hashes, for callers that route uploads by content type. */
  readonly media: 'video';
  /**
   * HMA content types the service may route to this signal (src/service/content-types.ts reads
   * it). Empty until the service's lookup handles video; `media` says what it hashes meanwhile.
   */
  readonly contentTypes: readonly string[];
  /** Frames below this quality are not matched. */
  readonly minQuality: number;
}

export type SignalType = PerceptualSignalType | ExactSignalType | VideoSignalType;
