import { FILE_ERROR_CODES, HashFormatError, UsageError, type FileErrorCode, type FileErrorInfo } from '../errors.js';
import type { ScanRecord, SkipReason } from '../report/types.js';
import type { FileHashResult, SignalHash } from '../results.js';
import { getSignal, isExact, SIGNALS } from '../signals/registry.js';
import type { Matcher } from './matcher.js';
import { vpdq } from '../signals/vpdq.js';
import { withVideoFrames } from './record.js';

/** One input of `hashsieve match`: where it came from and the hashes to look up. */
export interface HashLine {
  readonly path: string;
  readonly hashes: Readonly<Record<string, SignalHash>>;
  /** A `hashsieve hash` record of a file that failed carries its error through. */
  readonly error?: FileErrorInfo;
  /** A video's vPDQ frames (`hashes.vpdq` of a `hashsieve hash` record). */
  readonly video?: FileHashResult['video'];
  /** A `hashsieve hash` skip row (a link not followed, a device): never hashed, so never clean. */
  readonly skip?: { readonly reason: SkipReason; readonly message: string };
  /** Base64 of a name that is not UTF-8, carried through from a `hashsieve hash` record. */
  readonly pathBytes?: string;
}

const SKIP_REASONS: readonly SkipReason[] = ['symlink', 'symlink_loop', 'broken_symlink', 'duplicate', 'device', 'fifo', 'socket', 'too_large', 'other'];

/**
 * Parse one line: `signal hash [id]` (the id is the rest of the line), or a JSON record as
 * `hashsieve hash` prints it (`path` and `hashes`). Blank lines and `#` comments give null.
 * `path` defaults to `line N`. A bad line throws UsageError naming its source and line number.
 */
export function parseHashLine(raw: string, lineNo: number, source: string): HashLine | null {
  const line = raw.replace(/^\uFEFF/, '').trim();
  if (line === '' || line.startsWith('#')) return null;
  const where = `${source}:${lineNo}`;
  try {
    if (line.startsWith('{')) return fromJson(line, lineNo);
    const m = /^(\S+)\s+(\S+)(?:\s+(.+))?$/.exec(line);
    if (!m) throw new UsageError('expected "signal hash [id]"');
    const signal = getSignal(m[1]);
    const hash = signal.format(signal.parse(m[2]));
    return { path: m[3]?.trim() ?? `line ${lineNo}`, hashes: { [signal.name]: { hash } } };
  } catch (e) {
    if (e instanceof UsageError || e instanceof HashFormatError || e instanceof SyntaxError) {
      throw new UsageError(`${where}: ${e.message}`);
    }
    throw e;
  }
}

function fromJson(line: string, lineNo: number): HashLine {
  const rec = JSON.parse(line) as { path?: unknown; path_bytes?: unknown; hashes?: unknown; error?: { code?: unknown; message?: unknown }; skip?: { reason?: unknown; message?: unknown } };
  const error = fileError(rec.error);
  const skip = skipInfo(rec.skip);
  if ((typeof rec.hashes !== 'object' || rec.hashes === null) && !error && !skip) {
    throw new UsageError('a JSON line needs a "hashes" object, as `hashsieve hash` prints');
  }
  const hashes: Record<string, SignalHash> = {};
  let video: HashLine['video'];
  for (const [name, value] of Object.entries((rec.hashes ?? {}) as Record<string, SignalHash>)) {
    const signal = getSignal(name);
    if (signal.kind === 'video') {
      video = videoFrames(value);
      continue;
    }
    const hash = signal.format(signal.parse(String(value?.hash)));
    const dihedral = value.dihedral
      ? (Object.fromEntries(Object.entries(value.dihedral).map(([t, h]) => [t, signal.format(signal.parse(h))])) as SignalHash['dihedral'])
      : undefined;
    hashes[signal.name] = {
      hash,
      ...(typeof value.quality === 'number' ? { quality: value.quality } : {}),
      ...(value.lowQuality ? { lowQuality: true } : {}),
      ...(dihedral ? { dihedral } : {}),
    };
  }
  return {
    path: typeof rec.path === 'string' ? rec.path : `line ${lineNo}`,
    hashes,
    ...(error ? { error } : {}),
    ...(skip ? { skip } : {}),
    ...(typeof rec.path_bytes === 'string' ? { pathBytes: rec.path_bytes } : {}),
    ...(video ? { video } : {}),
  };
}

function skipInfo(s: { reason?: unknown; message?: unknown } | undefined): HashLine['skip'] | null {
  if (!s || typeof s !== 'object') return null;
  const reason = (SKIP_REASONS as readonly unknown[]).includes(s.reason) ? (s.reason as SkipReason) : 'other';
  return { reason, message: typeof s.message === 'string' ? s.message : '' };
}

/** `hashes.vpdq` as `hashsieve hash` prints it: an array of {frame, quality, hash, timestamp}. */
function videoFrames(value: unknown): NonNullable<HashLine['video']> {
  if (!Array.isArray(value)) throw new UsageError('hashes.vpdq must be an array of frames');
  const frames = value.map((f: { frame?: unknown; quality?: unknown; hash?: unknown; timestamp?: unknown }) => {
    if (typeof f?.quality !== 'number' || !Number.isInteger(f.quality) || f.quality < 0 || f.quality > 100) {
      throw new UsageError('each hashes.vpdq frame needs an integer quality 0..100');
    }
    return {
      frame: typeof f.frame === 'number' ? f.frame : 0,
      quality: f.quality,
      hash: vpdq.format(vpdq.parse(String(f.hash))),
      timestamp: typeof f.timestamp === 'string' ? f.timestamp : '',
    };
  });
  return { frames, frameRate: 0, secondsPerHash: 0, codec: '' };
}

function fileError(e: { code?: unknown; message?: unknown } | undefined): FileErrorInfo | null {
  if (!e || typeof e.code !== 'string' || !(FILE_ERROR_CODES as readonly string[]).includes(e.code)) return null;
  return { code: e.code as FileErrorCode, message: typeof e.message === 'string' ? e.message : '' };
}

/** Match one parsed line; the record has the scan's shape (size and mtime null). */
export function matchLine(line: HashLine, matcher: Pick<Matcher, 'match'>): ScanRecord {
  const path = { path: line.path, ...(line.pathBytes !== undefined ? { path_bytes: line.pathBytes } : {}) };
  if (line.skip) return { ...path, size: null, mtime: null, status: 'skipped', matches: [], hashes: {}, skip: line.skip };
  const result: FileHashResult = {
    path: line.path,
    size: 0,
    hashes: line.hashes,
    ...(line.error ? { error: line.error } : {}),
    ...(line.video ? { video: line.video } : {}),
  };
  const outcome = matcher.match(result);
  const digests: Record<string, string> = {};
  for (const s of SIGNALS.values()) if (isExact(s) && line.hashes[s.name]) digests[s.name] = line.hashes[s.name].hash;
  return {
    ...path,
    size: null,
    mtime: null,
    ...digests,
    status: outcome.status,
    matches: outcome.matches,
    hashes: withVideoFrames(line.hashes, line.video),
    ...(line.error ? { error: line.error } : {}),
  };
}
