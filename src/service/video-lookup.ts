/**
 * vPDQ in the service: a bank's video frames (one `vpdq` entry per frame, the frames of one video
 * sharing an external id) grouped back into videos and held as one `VpdqIndex` per bank index,
 * answered as HMA does (distance `"<query %>%[<compared %>%]"`, VPDQSimilarityInfo.pretty_str).
 */
import { parseVpdqSignal } from '../store/formats/vpdq.js';
import type { Store } from '../store/store.js';
import type { SignalType } from '../signals/types.js';
import { VPDQ_MIN_QUALITY } from '../signals/vpdq.js';
import { comparePrepared, DEFAULT_VPDQ_MATCH, prepareFrames, VpdqIndex, type FrameInput } from '../video/match.js';
import type { BankStore } from '../store/banks.js';
import { badRequest } from './errors.js';
import type { BankIndex, SignalIndex, Snapshot } from './index-state.js';
import { coinflip, type LookupOptions, type MatchesByBank, type MatchPayload } from './matching.js';

const FRAME_BYTES = 32;

/** A vpdq signal string (HMA's JSON array, or reference lines) as frames; 400 when it is none. */
export function parseVideoFrames(signal: SignalType, val: unknown): FrameInput[] {
  const frames = typeof val === 'string' ? parseVpdqSignal(val) : null;
  if (!frames) throw badRequest(`Invalid ${signal.name} signal: expected a JSON array of "hash,quality,timestamp" strings`);
  return frames.map((f) => ({ hash: f.hash, quality: f.quality ?? 100 }));
}

/** The frames a bank stores for a video signal string: distinct hashes of usable quality; 400 when none is left. */
export function parseVideoSignal(signal: SignalType, val: unknown): Uint8Array[] {
  const frames = prepareFrames(parseVideoFrames(signal, val), VPDQ_MIN_QUALITY);
  if (frames.length === 0) throw badRequest(`Invalid ${signal.name} signal: no frame of quality ${VPDQ_MIN_QUALITY} or more (it could never match)`);
  return frames;
}

/** HMA's VPDQSimilarityInfo as `/m/compare` answers it. */
export interface VideoSimilarity {
  query_match_percent: number;
  compared_match_percent: number;
}

/**
 * `/m/compare` for two video signal strings, as python-threatexchange's compare_hash: the first is
 * the query; `[matched, {query_match_percent, compared_match_percent}]`. A side with no frame of
 * usable quality is 400 (HMA's division by zero there is also a 400).
 */
export function compareVideoSignals(signal: SignalType, query: string, compared: string): [boolean, VideoSimilarity] {
  const o = DEFAULT_VPDQ_MATCH;
  const sides = [query, compared].map((text, i) => {
    let frames: FrameInput[];
    try {
      frames = parseVideoFrames(signal, text);
    } catch {
      throw badRequest(`Invalid ${signal.name} hash: the ${i === 0 ? 'first' : 'second'} is not a JSON array of "hash,quality,timestamp" strings`);
    }
    const prepared = prepareFrames(frames, o.minQuality);
    if (prepared.length === 0) throw badRequest(`Invalid ${signal.name} hash: the ${i === 0 ? 'first' : 'second'} has no frame of quality ${o.minQuality} or more to compare`);
    return prepared;
  });
  const r = comparePrepared(sides[0], sides[1], o);
  return [r.matched, { query_match_percent: r.queryMatchPercent, compared_match_percent: r.comparedMatchPercent }];
}

/** Python's `format(x, '.0f')` of a percentage: nearest integer, exact ties to even. */
export function percentText(x: number): string {
  const floor = Math.floor(x);
  const diff = x - floor;
  const n = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return `${n}%`;
}

const indexes = new WeakMap<SignalIndex, VpdqIndex<number>>();

/** The bank's videos for this signal, built on first use and kept while the bank's index is unchanged. */
function bankVideos(store: Store, banks: BankStore, bank: BankIndex, signal: SignalType): VpdqIndex<number> | null {
  const key = bank.signals.get(signal.name);
  if (!key) return null;
  let index = indexes.get(key);
  if (index) return index;
  const listName = banks.bank(bank.name)?.list.name;
  if (listName === undefined) return null;
  const packed = store.loadPacked(signal.name, [listName]);
  const ids = Array.from(packed.ids.subarray(0, packed.count));
  const info = store.entries(ids);
  const videos = new Map<string, { id: number; frames: FrameInput[] }>();
  ids.forEach((id, k) => {
    const e = info.get(id);
    const group = e?.externalId ?? `entry:${id}`;
    let v = videos.get(group);
    if (!v) videos.set(group, (v = { id: bank.contentOf.get(id) ?? id, frames: [] }));
    // Stored frames passed the quality cut-off when added.
    v.frames.push({ hash: packed.bytes.subarray(k * FRAME_BYTES, (k + 1) * FRAME_BYTES), quality: 100 });
  });
  index = VpdqIndex.build([...videos.values()].map((v) => ({ id: v.id, frames: v.frames })));
  indexes.set(key, index);
  return index;
}

/** Matches of a query video per bank (best first), with HMA's percentage distance. */
function videoHits(store: Store, banks: BankStore, snapshot: Snapshot, signal: SignalType, frames: readonly FrameInput[], only: ReadonlySet<string> | null): { bank: BankIndex; matches: MatchPayload[] }[] {
  const out: { bank: BankIndex; matches: MatchPayload[] }[] = [];
  for (const bank of snapshot.banks) {
    if (only && !only.has(bank.name)) continue;
    const index = bankVideos(store, banks, bank, signal);
    if (!index) continue;
    const matches = index.query(frames).map((m) => ({ bank_content_id: m.id, distance: `${percentText(m.queryMatchPercent)}[${percentText(m.comparedMatchPercent)}]` }));
    if (matches.length > 0) out.push({ bank, matches });
  }
  return out;
}

/** `/m/lookup` for a video: matches keyed by bank, only banks whose enabled ratio wins the coin flip. */
export function videoLookup(store: Store, banks: BankStore, snapshot: Snapshot, signal: SignalType, frames: readonly FrameInput[], opts: LookupOptions): MatchesByBank {
  const flip = opts.bypassCoinflip ? 0 : coinflip(opts.seed);
  const out: MatchesByBank = {};
  for (const h of videoHits(store, banks, snapshot, signal, frames, opts.banks)) if (h.bank.enabledRatio >= flip) out[h.bank.name] = h.matches;
  return out;
}

/** `/m/raw_lookup` for a video: content ids (or payloads) in every chosen bank; no coin flip. */
export function videoRawLookup(store: Store, banks: BankStore, snapshot: Snapshot, signal: SignalType, frames: readonly FrameInput[], only: ReadonlySet<string> | null, withDistance: boolean): (number | MatchPayload)[] {
  const all = videoHits(store, banks, snapshot, signal, frames, only).flatMap((h) => h.matches);
  return withDistance ? all : all.map((m) => m.bank_content_id);
}
