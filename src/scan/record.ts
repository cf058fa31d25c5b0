import type { MatchOutcome } from './matcher.js';
import type { ScanRecord } from '../report/types.js';
import type { FileHashResult } from '../results.js';
import type { ScannedFile } from './task.js';
import { isExact } from '../signals/registry.js';
import { SIGNALS } from '../signals/registry.js';
import type { WalkItem } from './walk.js';
import { pathFields } from '../report/path-text.js';

/**
 * UTC, to the millisecond the time falls in: truncated, as `ls --full-time` and `stat` show
 * times (Node's Stats#mtime rounds instead, so 12.848 ms would read as 13).
 */
export function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(Math.floor(ms)).toISOString();
}

/** Exact digests are repeated as top-level fields (`sha256`, `md5`, ...), in registry order. */
function digestFields(hashes: FileHashResult['hashes']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of SIGNALS.values()) {
    if (isExact(s) && hashes[s.name]) out[s.name] = hashes[s.name].hash;
  }
  return out;
}

/** Size and mtime from the walk, or (lazy stat) from the worker that read the file. */
export function hashedRecord(
  item: Extract<WalkItem, { kind: 'file' }>,
  result: ScannedFile,
  outcome: MatchOutcome,
): ScanRecord {
  return {
    ...pathFields(item.path),
    size: item.size ?? result.stat?.size ?? null,
    mtime: iso(item.mtimeMs ?? result.stat?.mtimeMs ?? null),
    ...digestFields(result.hashes),
    status: outcome.status,
    matches: outcome.matches,
    hashes: withVideoFrames(result.hashes, result.video),
    ...(result.width !== undefined ? { width: result.width, height: result.height } : {}),
    ...(result.format !== undefined ? { format: result.format } : {}),
    ...(result.error ? { error: result.error } : {}),
  };
}

export function unhashedRecord(item: Exclude<WalkItem, { kind: 'file' }>): ScanRecord {
  if (item.kind === 'error') {
    return { ...pathFields(item.path), size: null, mtime: null, status: 'error', matches: [], hashes: {}, error: item.error };
  }
  return {
    ...pathFields(item.path),
    size: item.size,
    mtime: iso(item.mtimeMs),
    status: 'skipped',
    matches: [],
    hashes: {},
    skip: { reason: item.reason, message: item.message },
  };
}

/** A video's record carries its vPDQ frames under hashes.vpdq, as `hashsieve hash` prints them. */
export function withVideoFrames(hashes: FileHashResult['hashes'], video: FileHashResult['video']): FileHashResult['hashes'] {
  if (!video) return hashes;
  return { ...hashes, vpdq: video.frames as unknown as FileHashResult['hashes'][string] };
}
