/** Writers for `hash` records (NDJSON, CSV, text): the scan report's sinks, field rules and path escapes, hash's own columns. */
import type { FileErrorInfo } from '../errors.js';
import type { SignalHash, VideoHashes } from '../results.js';
import { formatVpdqFile, formatVpdqSignal } from '../signals/vpdq.js';
import { DIHEDRAL_NAMES, type SignalType } from '../signals/types.js';
import { escapeControls, safeJson } from './escape.js';
import { csvField } from './formats.js';
import { displayPath } from './path-text.js';
import type { SkipReason } from './types.js';

/**
 * `vpdq`: one video's frames in the reference's own line format (nothing for other files);
 * `pytx`: python-threatexchange's CSV (signal_type,signal_str) of each video's vPDQ signal string.
 */
export type HashFormat = 'ndjson' | 'csv' | 'text' | 'vpdq' | 'pytx';
export const HASH_FORMATS: readonly HashFormat[] = ['ndjson', 'csv', 'text', 'vpdq', 'pytx'];

/** One `hash` record: a file's hashes, its error, or why it was not hashed. */
export interface HashRecord {
  readonly path: string;
  /** Base64 of the path's bytes, only when they are not valid UTF-8 (report/path-text.ts). */
  readonly path_bytes?: string;
  readonly size: number | null;
  readonly hashes: Readonly<Record<string, SignalHash>>;
  readonly width?: number;
  readonly height?: number;
  readonly format?: string;
  /** A video's vPDQ frames (written under hashes.vpdq). */
  readonly video?: VideoHashes;
  readonly error?: FileErrorInfo;
  readonly skip?: { readonly reason: SkipReason; readonly message: string };
}

export interface HashFormatter {
  begin(): string;
  record(r: HashRecord): string;
}

export interface HashFormatterOptions {
  readonly signals: readonly SignalType[];
  /** PDQ's 8 rotation/mirror hashes get columns (CSV). */
  readonly dihedral: boolean;
}

function csvColumns(signals: readonly SignalType[], dihedral: boolean): string[] {
  const cols = ['path', 'size', 'width', 'height', 'format'];
  for (const s of signals) {
    if (s.kind === 'video') {
      cols.push(`${s.name}_frames`);
      continue;
    }
    cols.push(s.name);
    if (s.kind === 'perceptual' && s.minQuality !== null) cols.push(`${s.name}_quality`, `${s.name}_low_quality`);
    if (dihedral && s.kind === 'perceptual' && s.supportsDihedral) cols.push(...DIHEDRAL_NAMES.map((d) => `${s.name}_${d}`));
  }
  return [...cols, 'error_code', 'error_message', 'skip_reason'];
}

function csvRow(r: HashRecord, signals: readonly SignalType[], dihedral: boolean): string {
  const row: unknown[] = [displayPath(r), r.size, r.width, r.height, r.format];
  for (const s of signals) {
    if (s.kind === 'video') {
      row.push(r.video?.frames.length);
      continue;
    }
    const h = r.hashes[s.name];
    row.push(h?.hash);
    if (s.kind === 'perceptual' && s.minQuality !== null) row.push(h?.quality, h ? Boolean(h.lowQuality) : undefined);
    if (dihedral && s.kind === 'perceptual' && s.supportsDihedral) row.push(...DIHEDRAL_NAMES.map((d) => h?.dihedral?.[d]));
  }
  row.push(r.error?.code, r.error?.message, r.skip?.reason);
  return row.map(csvField).join(',');
}

function textLine(r: HashRecord): string {
  const parts = Object.entries(r.hashes).map(([name, h]) => {
    const q = h.quality === undefined ? '' : ` q=${h.quality}${h.lowQuality ? ' (low quality)' : ''}`;
    return `${name}:${h.hash}${q}`;
  });
  if (r.video) parts.push(`vpdq:${r.video.frames.length} frames`);
  if (r.error) parts.push(`error ${r.error.code}: ${escapeControls(r.error.message)}`);
  if (r.skip) parts.push(`skipped (${r.skip.reason}): ${escapeControls(r.skip.message)}`);
  return `${displayPath(r)}\t${parts.join('  ')}`;
}

function ndjsonLine(r: HashRecord): string {
  const { path, path_bytes, size, width, height, format, error, skip } = r;
  const hashes = r.video ? { ...r.hashes, vpdq: r.video.frames } : r.hashes;
  const video = r.video && { frameRate: r.video.frameRate, secondsPerHash: r.video.secondsPerHash, codec: r.video.codec };
  return safeJson({ path, path_bytes, size, hashes, width, height, format, video, error, skip });
}

export function createHashFormatter(format: HashFormat, opts: HashFormatterOptions): HashFormatter {
  switch (format) {
    case 'csv':
      return { begin: () => `${csvColumns(opts.signals, opts.dihedral).join(',')}\n`, record: (r) => `${csvRow(r, opts.signals, opts.dihedral)}\n` };
    case 'text':
      return { begin: () => '', record: (r) => `${textLine(r)}\n` };
    case 'ndjson':
      return { begin: () => '', record: (r) => `${ndjsonLine(r)}\n` };
    case 'vpdq':
      return { begin: () => '', record: (r) => formatVpdqFile(r.video?.frames ?? []) };
    case 'pytx':
      return {
        begin: () => 'signal_type,signal_str\n',
        record: (r) => (r.video && r.video.frames.length > 0 ? `vpdq,${csvField(formatVpdqSignal(r.video.frames, r.video.frameRate))}\n` : ''),
      };
  }
}
