import { UsageError, invalidParameterError } from '../errors.js';
import { getSignal, isPerceptual, SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import type { ListInfo } from '../store/types.js';

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** "5000", "20M", "1.5GiB" (binary units) → bytes. */
export function parseSize(spec: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(spec);
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw invalidParameterError(name, 'a size like 5000, 20M or 2G', spec);
  return Math.floor(Number(m[1]) * unit);
}

/** `scan --file-timeout` unless given: long enough for any sane image, short enough to notice a hung mount. */
export const DEFAULT_FILE_TIMEOUT = '120s';

const DURATION_UNITS: Record<string, number> = { '': 1000, s: 1000, ms: 1, m: 60_000, min: 60_000 };

/** "30" or "30s" (seconds), "500ms", "2m" → milliseconds; 0 = no limit. */
export function parseDuration(spec: string, name: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/.exec(spec);
  const unit = m ? DURATION_UNITS[m[2]] : undefined;
  if (!m || unit === undefined) throw invalidParameterError(name, 'a duration like 30, 30s, 500ms or 2m', spec);
  return Math.round(Number(m[1]) * unit);
}

export function parseCount(spec: string, name: string, min: number): number {
  const n = Number(spec);
  if (!/^\s*\d+\s*$/.test(spec) || !Number.isSafeInteger(n) || n < min) {
    throw invalidParameterError(name, min === 0 ? 'a non-negative integer' : 'a positive integer', spec);
  }
  return n;
}

/** "pdq=31,blockhash=12" → per-signal thresholds over the defaults of every perceptual signal. */
export function parseThresholds(spec: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of SIGNALS.values()) if (isPerceptual(s)) out.set(s.name, s.defaultThreshold);
  if (!spec) return out;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value, ...rest] = part.split('=');
    if (value === undefined || rest.length > 0) throw new UsageError(`Expected --threshold like pdq=31,blockhash=12 but received ${JSON.stringify(part)}`);
    const signal = getSignal(name);
    if (!isPerceptual(signal)) throw new UsageError(`${signal.name} is an exact digest and matches only at distance 0; it takes no --threshold`);
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n > signal.bits) {
      throw invalidParameterError(`the ${signal.name} threshold`, `an integer from 0 to ${signal.bits}`, value);
    }
    out.set(signal.name, n);
  }
  return out;
}

/** The named lists (comma-separated), or every list; a name not in the store is a usage error. */
export function selectLists(all: readonly ListInfo[], spec: string | undefined, dbPath: string): ListInfo[] {
  if (all.length === 0) {
    throw new UsageError(`The database ${dbPath} holds no hash lists; import one first with \`hashsieve list import\``);
  }
  if (!spec) return [...all];
  const names = [...new Set(spec.split(',').map((n) => n.trim()).filter(Boolean))];
  const byName = new Map(all.map((l) => [l.name, l]));
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length > 0) {
    throw new UsageError(`No list named ${missing.map((n) => JSON.stringify(n)).join(', ')} in ${dbPath}; lists: ${all.map((l) => l.name).join(', ')}`);
  }
  return names.map((n) => byName.get(n)!);
}

/** The report always carries a sha256, whatever the lists hold. */
export const ALWAYS_COMPUTED = 'sha256';

/** By default, the signals the selected lists hold, plus sha256 (registry order). */
export function defaultSignals(lists: readonly ListInfo[]): SignalType[] {
  const wanted = new Set([ALWAYS_COMPUTED]);
  for (const l of lists) for (const [name, n] of Object.entries(l.counts)) if (n > 0) wanted.add(name);
  return [...SIGNALS.values()].filter((s) => wanted.has(s.name));
}

/** Signals the lists hold that will not be computed (so those entries cannot match). */
export function unmatchedSignals(lists: readonly ListInfo[], signals: readonly SignalType[]): string[] {
  const computed = new Set(signals.map((s) => s.name));
  const held = new Set(lists.flatMap((l) => Object.entries(l.counts).filter(([, n]) => n > 0).map(([k]) => k)));
  return [...held].filter((n) => !computed.has(n)).sort();
}

export { readPaths, expandInputs } from './inputs.js';
