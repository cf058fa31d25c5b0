/**
 * One parser for every command's option values (sizes, counts, durations, fractions, lists,
 * enums), with one message shape, as sharp's invalidParameterError:
 * "Expected a positive integer for --workers but received "x"".
 */
import { UsageError } from '../errors.js';
import { getSignal, isPerceptual, SIGNALS } from '../signals/registry.js';

/** The error every parser here throws. */
export function invalidArgument(flag: string, expected: string, raw: string | number): UsageError {
  const shown = typeof raw === 'string' ? JSON.stringify(raw) : String(raw);
  return new UsageError(`Expected ${expected} for ${flag} but received ${shown}`);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const COUNT_SUFFIX: Readonly<Record<string, number>> = { k: 1e3, m: 1e6, g: 1e9 };

/** A count as written: "12", "100k", "10M", "1e6" (decimal suffixes); NaN when it is not a number. */
function countValue(raw: string): number {
  const s = raw.trim();
  const mult = COUNT_SUFFIX[s.slice(-1).toLowerCase()];
  if (mult !== undefined && DECIMAL.test(s.slice(0, -1))) return Number(s.slice(0, -1)) * mult;
  return DECIMAL.test(s) ? Number(s) : NaN;
}

/** An integer count >= `min` (default 1), k/M/G suffixes allowed: "8", "100k", "10M". */
export function parseCount(flag: string, raw: string | number, min = 1): number {
  const v = typeof raw === 'number' ? raw : countValue(raw);
  if (!Number.isSafeInteger(v) || v < min) {
    throw invalidArgument(flag, min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : `an integer of at least ${min}`, raw);
  }
  return v;
}

const MAX_SEED = 2 ** 32 - 1;

/** A PRNG seed: an integer from 0 to 2^32 - 1. */
export function parseSeed(flag: string, raw: string | number): number {
  const seed = parseCount(flag, raw, 0);
  if (seed > MAX_SEED) throw invalidArgument(flag, `an integer from 0 to ${MAX_SEED}`, raw);
  return seed;
}

/** Comma-separated counts, duplicates removed, order kept: "1,2,4". */
export function parseCountList(flag: string, raw: string, min = 1): number[] {
  const parts = parseList(flag, raw);
  return [...new Set(parts.map((p) => parseCount(flag, p, min)))];
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/** A positive byte size in binary units: "4096", "50M", "1.5G", "1.5GiB", "20MB". */
export function parseSize(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/.exec(raw);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  const n = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw invalidArgument(flag, 'a size like 4096, 50M or 1.5G', raw);
  return n;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { '': 1000, s: 1000, ms: 1, m: 60_000, min: 60_000, h: 3_600_000 };

/** A duration in milliseconds: "30" or "30s" (seconds), "500ms", "2m", "1h"; "0" is 0. */
export function parseDuration(flag: string, raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(raw);
  const unit = m ? DURATION_UNITS[m[2]] : undefined;
  if (!m || unit === undefined) throw invalidArgument(flag, 'a duration like 30s, 500ms or 2m', raw);
  return Math.round(Number(m[1]) * unit);
}

/** A number from 0 to 1. */
export function parseFraction(flag: string, raw: string | number): number {
  const v = typeof raw === 'number' ? raw : countValue(raw);
  if (!(v >= 0 && v <= 1)) throw invalidArgument(flag, 'a number from 0 to 1', raw);
  return v;
}

/** "10%" or "10" → 0.1. */
export function parsePercent(flag: string, raw: string): number {
  const s = raw.trim();
  const v = countValue(s.endsWith('%') ? s.slice(0, -1) : s);
  if (!Number.isFinite(v) || v < 0) throw invalidArgument(flag, 'a percentage like 10%', raw);
  return v / 100;
}

/** One of the allowed values (compared as text, so numbers work too). */
export function parseEnum<T extends string | number>(flag: string, raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => String(a) === raw.trim());
  if (found === undefined) throw invalidArgument(flag, `one of ${allowed.join(', ')}`, raw);
  return found;
}

/** Comma-separated names, trimmed, empty parts dropped, duplicates removed; at least one. */
export function parseList(flag: string, raw: string): string[] {
  const parts = [...new Set(raw.split(',').map((p) => p.trim()).filter(Boolean))];
  if (parts.length === 0) throw invalidArgument(flag, 'a comma-separated list', raw);
  return parts;
}

export interface CorpusSpec {
  readonly width: number;
  readonly height: number;
  readonly count: number;
}

/** "1024x768:200" → 200 images of 1024×768. */
export function parseCorpusSpec(flag: string, raw: string): CorpusSpec {
  const m = /^\s*(\S+)x(\S+):(\S+)\s*$/i.exec(raw);
  if (!m) throw invalidArgument(flag, 'WIDTHxHEIGHT:COUNT (such as 1024x768:200)', raw);
  return { width: parseCount(`${flag} width`, m[1]), height: parseCount(`${flag} height`, m[2]), count: parseCount(`${flag} count`, m[3]) };
}

/** "1024x768" → [1024, 768]. */
export function parseDimensions(flag: string, raw: string): [number, number] {
  const m = /^\s*(\d+)x(\d+)\s*$/i.exec(raw);
  if (!m) throw invalidArgument(flag, 'a size like 1024x768', raw);
  return [parseCount(`${flag} width`, m[1]), parseCount(`${flag} height`, m[2])];
}

/** A value at most `max`, with why. */
export function checkAtMost(flag: string, value: number, max: number, why: string): void {
  if (value > max) throw invalidArgument(flag, `at most ${max} (${why})`, value);
}

/** "pdq=31,blockhash=12" → per-signal thresholds over the defaults of every perceptual signal. */
export function parseThresholds(flag: string, raw: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of SIGNALS.values()) if (isPerceptual(s)) out.set(s.name, s.defaultThreshold);
  if (!raw) return out;
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0) throw invalidArgument(flag, 'SIGNAL=DISTANCE pairs like pdq=31,blockhash=12', part);
    const signal = getSignal(name);
    // A video signal's threshold is its per-frame distance.
    if (!isPerceptual(signal) && signal.kind !== 'video') throw new UsageError(`${signal.name} is an exact digest and matches only at distance 0; it takes no ${flag}`);
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > signal.bits) {
      throw invalidArgument(`the ${signal.name} threshold (${flag})`, `an integer from 0 to ${signal.bits}`, value);
    }
    out.set(signal.name, n);
  }
  return out;
}

/**
 * Config field names that library messages quote (`field`) and the flag each stands for: the
 * library names its config, the command line shows its flags.
 */
const FIELD_FLAGS: Readonly<Record<string, string>> = {
  checkpoint: '--checkpoint',
  out: '--out',
  overwrite: '--force',
  resume: '--resume',
  signal: '--signal',
  columns: '--columns',
  sha256: '--sha256',
  replace: '--replace',
  append: '--append',
  fileTimeoutMs: '--file-timeout',
  maxFileSize: '--max-file-size',
  followSymlinks: '--follow-symlinks',
  db: '--db',
  dbPath: '--db',
  signals: '--algo',
};

/** A library message with its quoted config fields shown as the flags that set them. */
export function withFlags(message: string): string {
  return message.replace(/`(\w+)`/g, (whole, name: string) => FIELD_FLAGS[name] ?? whole);
}
