import type { FileErrorInfo } from './errors.js';
import type { DihedralName } from './signals/types.js';
import type { VpdqFrame } from './signals/vpdq.js';

/** One signal's output for one file, as reported (hex strings, JSON-ready). */
export interface SignalHash {
  /** Lowercase hex. */
  readonly hash: string;
  /** PDQ quality 0..100. */
  readonly quality?: number;
  /** True when quality is below the signal's minQuality: reported, never matched. */
  readonly lowQuality?: boolean;
  /** With --dihedral: the 8 named transforms' hashes (PDQ). */
  readonly dihedral?: Readonly<Record<DihedralName, string>>;
}

/** Result of hashing one file (or buffer). Worker threads return exactly this — never pixels. */
export interface FileHashResult {
  readonly path: string;
  /** Bytes. */
  readonly size: number;
  /** Keyed by signal name; holds every hash that could be computed (digests survive a decode failure). */
  readonly hashes: Readonly<Record<string, SignalHash>>;
  /** Image size as stored, when decoded. */
  readonly width?: number;
  readonly height?: number;
  readonly format?: string;
  /** A video file: its vPDQ frames and how they were sampled (reports put the frames under hashes.vpdq). */
  readonly video?: VideoHashes;
  /** Set when the file (or its decode) failed. */
  readonly error?: FileErrorInfo;
  /** HashRequest.skipDecode said so: only the exact digests were computed. */
  readonly decodeSkipped?: boolean;
}

/** vPDQ of one video, JSON-ready. */
export interface VideoHashes {
  /** Sorted by frame number, as the reference writes them. */
  readonly frames: readonly VpdqFrame[];
  /** Frames per second the sampling and timestamps use. */
  readonly frameRate: number;
  readonly secondsPerHash: number;
  readonly codec: string;
}
