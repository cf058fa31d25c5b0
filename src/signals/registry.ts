import { UsageError } from '../errors.js';
import { blockhash } from './blockhash.js';
import { md5, sha1, sha256 } from './digests.js';
import { pdq } from './pdq.js';
import { vpdq } from './vpdq.js';
import type { ExactSignalType, PerceptualSignalType, SignalType, VideoSignalType } from './types.js';

/** Every signal type, once. Adding an algorithm = one module + one line here. */
const ALL: readonly SignalType[] = [pdq, blockhash, md5, sha1, sha256, vpdq];

function buildRegistry(list: readonly SignalType[]): ReadonlyMap<string, SignalType> {
  const map = new Map<string, SignalType>();
  for (const s of list) {
    if (!/^[a-z][a-z0-9_]*$/.test(s.name)) throw new Error(`Invalid signal name ${JSON.stringify(s.name)}`);
    if (map.has(s.name)) throw new Error(`Duplicate signal name ${JSON.stringify(s.name)} in the registry`);
    map.set(s.name, s);
  }
  return map;
}

export const SIGNALS: ReadonlyMap<string, SignalType> = buildRegistry(ALL);

export function signalNames(): string[] {
  return [...SIGNALS.keys()];
}

/** Look up a signal by name; throws UsageError listing the known names. */
export function getSignal(name: string): SignalType {
  const s = SIGNALS.get(name.trim().toLowerCase());
  if (!s) {
    throw new UsageError(`Unknown signal ${JSON.stringify(name)}; expected one of: ${signalNames().join(', ')}`);
  }
  return s;
}

/** Parse a comma-separated list like "pdq,sha256"; duplicates removed, order kept. */
export function parseSignalList(spec: string): SignalType[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError('Expected at least one signal name');
  return [...new Set(names.map((n) => getSignal(n)))];
}

export function isPerceptual(s: SignalType): s is PerceptualSignalType {
  return s.kind === 'perceptual';
}

export function isExact(s: SignalType): s is ExactSignalType {
  return s.kind === 'exact';
}

export function isVideo(s: SignalType): s is VideoSignalType {
  return s.kind === 'video';
}

export { buildRegistry as _buildRegistryForTests };
