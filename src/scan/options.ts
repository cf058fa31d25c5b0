import { UsageError } from '../errors.js';
import { SIGNALS } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import type { ListInfo } from '../store/types.js';

/** The named lists, or every list when `wanted` is absent or empty; a name not in the store is a usage error. */
export function selectLists(all: readonly ListInfo[], wanted: readonly string[] | undefined, dbPath: string): ListInfo[] {
  if (all.length === 0) {
    throw new UsageError(`The database ${dbPath} holds no hash lists; import one first with \`hashsieve list import\``);
  }
  if (!wanted || wanted.length === 0) return [...all];
  const names = [...new Set(wanted)];
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
