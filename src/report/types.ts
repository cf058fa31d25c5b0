import type { FileErrorInfo } from '../errors.js';
import type { SignalHash } from '../results.js';

/** `known_good`: an exact digest is in a known-good list (e.g. NSRL); not decoded, not matched perceptually. */
export type ScanStatus = 'match' | 'clean' | 'low_quality' | 'error' | 'skipped' | 'known_good';

export const SCAN_STATUSES: readonly ScanStatus[] = ['match', 'clean', 'low_quality', 'error', 'skipped', 'known_good'];

/** Why a path was not hashed. */
export type SkipReason = 'symlink' | 'symlink_loop' | 'broken_symlink' | 'duplicate' | 'device' | 'fifo' | 'socket' | 'too_large' | 'other';

export interface MatchInfo {
  readonly list: string;
  /** The entry's external id in its list (null when the list gave none). */
  readonly entry: string | null;
  readonly category: string | null;
  readonly signal: string;
  readonly distance: number;
  /** PDQ with --dihedral: which rotation/mirror of the file matched; null otherwise. */
  readonly transform: string | null;
  /** vPDQ: the share of the file's frames that match the list video, and of the list video's frames that match (percent). */
  readonly queryMatchPercent?: number;
  readonly comparedMatchPercent?: number;
}

/**
 * One report record per file. Metadata only: never pixels, never thumbnails.
 * Exact digests also appear as top-level fields named after their signal (`sha256`, `md5`, ...).
 */
export interface ScanRecord {
  /** The name as text; when it is not UTF-8, its quoted escaped form (report/path-text.ts), with the bytes in `path_bytes`. */
  readonly path: string;
  /** Base64 of the path's bytes, only when they are not valid UTF-8. */
  readonly path_bytes?: string;
  readonly size: number | null;
  /** ISO 8601 UTC. */
  readonly mtime: string | null;
  readonly status: ScanStatus;
  readonly matches: readonly MatchInfo[];
  readonly hashes: Readonly<Record<string, SignalHash>>;
  readonly width?: number;
  readonly height?: number;
  readonly format?: string;
  readonly error?: FileErrorInfo;
  readonly skip?: { readonly reason: SkipReason; readonly message: string };
  readonly [digest: string]: unknown;
}

/** Running totals of a scan (carried across --resume in the checkpoint). */
export interface ScanTotals {
  files: number;
  bytes: number;
  /** Records per status. */
  statuses: Record<ScanStatus, number>;
  /** Individual matches (a file can match several entries). */
  matches: number;
  errors: Record<string, number>;
  skipped: Record<string, number>;
  /** Wall time spent scanning, summed over runs. */
  elapsedMs: number;
}

export interface ScanSummary {
  readonly files: number;
  readonly bytes: number;
  readonly statuses: Readonly<Record<ScanStatus, number>>;
  readonly filesMatched: number;
  readonly matches: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly skipped: Readonly<Record<string, number>>;
  readonly elapsedSeconds: number;
  readonly filesPerSecond: number;
  readonly interrupted: boolean;
}

export type ReportFormat = 'ndjson' | 'csv' | 'json' | 'dfxml';
export const REPORT_FORMATS: readonly ReportFormat[] = ['ndjson', 'csv', 'json', 'dfxml'];
