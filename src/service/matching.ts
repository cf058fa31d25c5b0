import { createHash } from 'node:crypto';
import type { SignalHash } from '../results.js';
import { isPerceptual } from '../signals/registry.js';
import type { SignalType } from '../signals/types.js';
import { queryBanks, type Hit, type Snapshot } from './index-state.js';

/** HMA's match payload: the content id and its distance as a string. */
export interface MatchPayload {
  bank_content_id: number;
  distance: string;
  transform?: string;
}

export type MatchesByBank = Record<string, MatchPayload[]>;

export interface LookupOptions {
  readonly banks: ReadonlySet<string> | null;
  /** HMA's coin flip against each bank's enabled ratio: skipped with bypass, repeatable with a seed. */
  readonly bypassCoinflip: boolean;
  readonly seed: string | undefined;
}

/** HMA writes an exact match's distance as "-" (its trivial index has no distance), a perceptual one as the number. */
function payload(signal: SignalType, h: Hit): MatchPayload {
  const distance = signal.kind === 'exact' ? '-' : String(h.distance);
  return h.transform === undefined ? { bank_content_id: h.contentId, distance } : { bank_content_id: h.contentId, distance, transform: h.transform };
}

/** `/m/raw_lookup`: content ids (or payloads with distances) in every chosen bank, closest first; no coin flip. */
export function rawLookup(snapshot: Snapshot, signal: SignalType, hash: Uint8Array, banks: ReadonlySet<string> | null, withDistance: boolean): (number | MatchPayload)[] {
  const hits = queryBanks(snapshot, signal, hash, banks);
  return withDistance ? hits.map((h) => payload(signal, h)) : hits.map((h) => h.contentId);
}

/** A number in [0, 1): from the seed when one is given (the same seed, the same flip), else random. */
export function coinflip(seed: string | undefined): number {
  if (seed === undefined) return Math.random();
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

/** `/m/lookup`: matches keyed by bank, only banks whose enabled ratio wins the coin flip. */
export function lookup(
  snapshot: Snapshot,
  signal: SignalType,
  hash: Uint8Array,
  opts: LookupOptions,
  dihedral: Readonly<Record<string, Uint8Array>> | null = null,
): MatchesByBank {
  return byBank(signal, queryBanks(snapshot, signal, hash, opts.banks, dihedral), opts);
}

/** Hits (closest first) keyed by bank, keeping only banks whose enabled ratio wins the coin flip. */
export function byBank(signal: SignalType, hits: readonly Hit[], opts: LookupOptions): MatchesByBank {
  const flip = opts.bypassCoinflip ? 0 : coinflip(opts.seed);
  const out: MatchesByBank = {};
  for (const h of hits) {
    if (opts.banks && !opts.banks.has(h.bank.name)) continue;
    if (h.bank.enabledRatio < flip) continue;
    (out[h.bank.name] ??= []).push(payload(signal, h));
  }
  return out;
}

/** The 8 dihedral hashes of an upload's perceptual signal, parsed, when it has them. */
export function dihedralOf(signal: SignalType, h: SignalHash): Record<string, Uint8Array> | null {
  if (!h.dihedral || !isPerceptual(signal) || !signal.supportsDihedral) return null;
  return Object.fromEntries(Object.entries(h.dihedral).map(([k, v]) => [k, signal.parse(v)]));
}
