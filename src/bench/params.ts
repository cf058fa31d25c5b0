import { invalidParameterError, UsageError } from '../errors.js';

/**
 * Validation of bench parameters, one message shape (sharp's):
 * "Expected positive integer for --n but received -5 of type number".
 * Counts accept a k/M suffix (decimal: 100k = 100000, 10M = 10000000).
 */

const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const SUFFIX: Readonly<Record<string, number>> = { k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/** The value as the user meant it: a number when it reads as one, else the raw string. */
function asNumber(raw: string | number): number | string {
  if (typeof raw === 'number') return raw;
  const s = raw.trim();
  const mult = SUFFIX[s.slice(-1)];
  if (mult && NUMBER_RE.test(s.slice(0, -1))) return Number(s.slice(0, -1)) * mult;
  return NUMBER_RE.test(s) ? Number(s) : raw;
}

export function positiveInt(name: string, raw: string | number): number {
  const v = asNumber(raw);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw invalidParameterError(name, 'positive integer', v);
  }
  return v;
}

export function nonNegativeInt(name: string, raw: string | number): number {
  const v = asNumber(raw);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw invalidParameterError(name, 'non-negative integer', v);
  }
  return v;
}

export function fraction(name: string, raw: string | number): number {
  const v = asNumber(raw);
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw invalidParameterError(name, 'number between 0 and 1', v);
  }
  return v;
}

/** "10%" or "10" → 0.1. */
export function percent(name: string, raw: string): number {
  const s = raw.trim();
  const v = asNumber(s.endsWith('%') ? s.slice(0, -1) : s);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw invalidParameterError(name, 'non-negative percentage such as 10%', raw);
  }
  return v / 100;
}

export function oneOf<T extends string | number>(name: string, raw: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => String(a) === raw.trim());
  if (found === undefined) {
    throw invalidParameterError(name, `one of ${allowed.join(', ')}`, raw);
  }
  return found;
}

/** "1,2,4" → [1, 2, 4] (duplicates removed, order kept). */
export function positiveIntList(name: string, raw: string): number[] {
  const parts = raw.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw invalidParameterError(name, 'comma-separated list of positive integers', raw);
  return [...new Set(parts.map((p) => positiveInt(name, p)))];
}

export interface CorpusSpec {
  readonly width: number;
  readonly height: number;
  readonly count: number;
}

/** "1024x768:200" → 200 images of 1024×768. */
export function corpusSpec(name: string, raw: string): CorpusSpec {
  const m = /^\s*(\S+)x(\S+):(\S+)\s*$/i.exec(raw);
  if (!m) throw new UsageError(`Expected WIDTHxHEIGHT:COUNT (such as 1024x768:200) for ${name} but received ${raw}`);
  return {
    width: positiveInt(`${name} width`, m[1]),
    height: positiveInt(`${name} height`, m[2]),
    count: positiveInt(`${name} count`, m[3]),
  };
}

export function checkAtMost(name: string, value: number, max: number, why: string): void {
  if (value > max) throw new UsageError(`Expected ${name} of at most ${max} (${why}) but received ${value}`);
}
