import type { FileHashResult, SignalHash } from '../results.js';
import type { MatchOutcome } from './matcher.js';
import { isExact } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { sortedOrder } from '../store/runs.js';
import type { StoreReader } from '../store/types.js';

/**
 * The exact digests of one signal in the known-good lists: sorted, distinct, `width` bytes each,
 * in shared memory, so every worker thread reads the same bytes (sent with each task, never copied).
 */
export interface KnownGoodDigests {
  readonly signal: string;
  readonly width: number;
  readonly count: number;
  readonly hashes: SharedArrayBuffer;
}

export type KnownGoodSet = readonly KnownGoodDigests[];

function compareAt(a: Uint8Array, ai: number, b: Uint8Array, bi: number, width: number): number {
  for (let k = 0; k < width; k++) {
    const d = a[ai + k] - b[bi + k];
    if (d !== 0) return d;
  }
  return 0;
}

/** Sorted and distinct, copied into shared memory. */
function sortedDistinct(bytes: Uint8Array, count: number, width: number): { hashes: SharedArrayBuffer; count: number } {
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = compareAt(bytes, (i - 1) * width, bytes, i * width, width) <= 0;
  const order = sorted ? null : sortedOrder(bytes, count, width, null);
  const out = new Uint8Array(new SharedArrayBuffer(count * width));
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = (order ? order[i] : i) * width;
    if (n > 0 && compareAt(out, (n - 1) * width, bytes, at, width) === 0) continue;
    out.set(bytes.subarray(at, at + width), n * width);
    n += 1;
  }
  return { hashes: out.buffer as SharedArrayBuffer, count: n };
}

/** The known-good digests of the named lists, per exact signal the scan computes. */
export function buildKnownGoodSet(store: StoreReader, listNames: readonly string[], signals: readonly SignalType[]): KnownGoodSet {
  if (listNames.length === 0) return [];
  const out: KnownGoodDigests[] = [];
  for (const signal of signals.filter(isExact)) {
    const packed = store.loadPacked(signal.name, listNames);
    if (packed.count === 0) continue;
    const width = signal.bits / 8;
    out.push({ signal: signal.name, width, ...sortedDistinct(packed.bytes, packed.count, width) });
  }
  return out;
}

function contains(d: KnownGoodDigests, hex: string): boolean {
  const key = Buffer.from(hex, 'hex');
  if (key.length !== d.width) return false;
  const all = new Uint8Array(d.hashes);
  let lo = 0;
  let hi = d.count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareAt(all, mid * d.width, key, 0, d.width);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Whether any of a file's exact digests is in the known-good set. */
export function isKnownGood(set: KnownGoodSet, hashes: ReadonlyMap<string, SignalHash> | Readonly<Record<string, SignalHash>>): boolean {
  for (const d of set) {
    const h = hashes instanceof Map ? hashes.get(d.signal) : (hashes as Readonly<Record<string, SignalHash>>)[d.signal];
    if (h && contains(d, h.hash)) return true;
  }
  return false;
}

/**
 * Wraps the matcher: a file whose digest is known-good (or that the worker did not decode for
 * that reason) is reported `known_good` unless it matched a known list (an exact digest of a
 * known list still wins) or failed.
 */
export function withKnownGood<M extends { match(result: FileHashResult): MatchOutcome }>(inner: M, set: KnownGoodSet): Pick<M, 'match'> {
  if (set.length === 0) return inner;
  return {
    match(result) {
      const outcome = inner.match(result);
      if (outcome.status !== 'clean' && outcome.status !== 'low_quality') return outcome;
      return result.decodeSkipped === true || isKnownGood(set, result.hashes) ? { status: 'known_good', matches: [] } : outcome;
    },
  };
}
