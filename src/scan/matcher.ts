import { buildExactIndex, buildHammingIndex, queryDihedral, type PositionalIndex } from '../search/index.js';
import type { ExactIndex, IndexMatch } from '../search/types.js';
import type { PackedHashes } from '../types.js';
import type { MatchInfo, ScanStatus } from '../report/types.js';
import type { FileHashResult } from '../results.js';
import { getSignal, isPerceptual, isVideo } from '../signals/registry.js';
import { buildListVideoIndex, type ListVideoRef } from '../video/list-index.js';
import type { VpdqIndex, VpdqMatchOptions } from '../video/match.js';
import type { DihedralName, SignalType } from '../signals/types.js';
import { DIHEDRAL_NAMES } from '../signals/types.js';
import type { StoreReader } from '../store/types.js';
import { categoryPasses, type CategoryFilter } from './categories.js';
import { cachedHammingIndex } from './index-cache.js';

export interface MatcherOptions {
  /** List names to match against; every list in the store when absent. */
  readonly lists?: readonly string[];
  /** Signals to build an index for (those the lists hold and the scan computes), as names or signal objects. */
  readonly signals: readonly (SignalType | string)[];
  /** Largest distance that counts as a match, per perceptual signal name; each signal's default otherwise. */
  readonly thresholds?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Also match the 8 rotations/mirrors where the signal supports it (PDQ); default false. */
  readonly dihedral?: boolean;
  /** Folder of the on-disk index cache (see index-cache.ts); null or absent builds every time. */
  readonly indexCache?: string | null;
  /** vPDQ video match thresholds other than the frame distance (see src/video/match.ts). */
  readonly videoMatch?: Partial<VpdqMatchOptions>;
  /** Told when the index cache cannot be used (the scan goes on without it). */
  readonly onWarning?: (message: string) => void;
  /** Report only matches whose entry's category passes this filter (absent: every match). */
  readonly categories?: CategoryFilter | null;
}

interface SignalIndex {
  readonly signal: SignalType;
  readonly threshold: number;
  readonly hamming: PositionalIndex | null;
  readonly exact: ExactIndex | null;
}

export interface MatchOutcome {
  readonly status: ScanStatus;
  readonly matches: MatchInfo[];
}

interface RawMatch extends IndexMatch {
  readonly signal: string;
  readonly transform: string | null;
}

function hammingIndex(packed: PackedHashes, radius: number, opts: MatcherOptions): PositionalIndex {
  if (!opts.indexCache) return buildHammingIndex(packed, { radius });
  const { index, warning } = cachedHammingIndex(packed, radius, opts.indexCache);
  if (warning) opts.onWarning?.(warning);
  return index;
}

/** Indexes built once from the store (one per signal); matches a file's hashes against them. */
export class Matcher {
  private constructor(
    private readonly store: StoreReader,
    private readonly indexes: readonly SignalIndex[],
    private readonly dihedral: boolean,
    private readonly categories: CategoryFilter | null = null,
    private readonly videos: VpdqIndex<ListVideoRef> | null = null,
  ) {}

  static build(store: StoreReader, opts: MatcherOptions): Matcher {
    const indexes: SignalIndex[] = [];
    const lists = opts.lists ?? store.lists().map((l) => l.name);
    const thresholds = opts.thresholds instanceof Map ? opts.thresholds : new Map(Object.entries(opts.thresholds ?? {}));
    let videos: VpdqIndex<ListVideoRef> | null = null;
    for (const signal of new Set(opts.signals.map((s) => (typeof s === 'string' ? getSignal(s) : s)))) {
      if (isVideo(signal)) {
        const frameThreshold = thresholds.get(signal.name);
        videos = buildListVideoIndex(store, signal.name, lists, { ...opts.videoMatch, ...(frameThreshold === undefined ? {} : { frameThreshold }) });
        if (videos.size === 0) videos = null;
        continue;
      }
      const packed = store.loadPacked(signal.name, lists);
      if (packed.count === 0) continue;
      const perceptual = isPerceptual(signal);
      const threshold = perceptual ? (thresholds.get(signal.name) ?? signal.defaultThreshold) : 0;
      indexes.push({
        signal,
        threshold,
        hamming: perceptual ? hammingIndex(packed, threshold, opts) : null,
        exact: perceptual ? null : buildExactIndex(packed),
      });
    }
    return new Matcher(store, indexes, opts.dihedral === true, opts.categories ?? null, videos);
  }

  /** Entry counts per indexed signal (vpdq: frames). */
  sizes(): Record<string, number> {
    const sizes = Object.fromEntries(this.indexes.map((ix) => [ix.signal.name, (ix.hamming ?? ix.exact)!.size]));
    return this.videos ? { ...sizes, vpdq: this.videos.frameCount } : sizes;
  }

  match(result: FileHashResult): MatchOutcome {
    const raw: RawMatch[] = [];
    let lowQuality = false;
    for (const ix of this.indexes) {
      const h = result.hashes[ix.signal.name];
      if (!h) continue;
      if (isLowQuality(ix.signal, h.quality, h.lowQuality)) {
        lowQuality = true;
        continue;
      }
      raw.push(...this.query(ix, h.hash, h.dihedral));
    }
    const matches = this.describe(raw);
    if (this.videos && result.video) {
      matches.push(...this.matchVideo(result.video.frames));
      // A video none of whose frames reaches the quality cut-off can match nothing.
      if (result.video.frames.every((f) => f.quality < this.videos!.options.minQuality)) lowQuality = true;
    }
    const status: ScanStatus =
      matches.length > 0 ? 'match' : result.error ? 'error' : lowQuality ? 'low_quality' : 'clean';
    return { status, matches };
  }

  private query(ix: SignalIndex, hex: string, dihedral: Readonly<Record<DihedralName, string>> | undefined): RawMatch[] {
    const name = ix.signal.name;
    const hash = ix.signal.parse(hex);
    if (ix.exact) return ix.exact.query(hash).map((m) => ({ ...m, signal: name, transform: null }));
    const index = ix.hamming!;
    if (hash.length * 8 !== index.bits) return [];
    if (this.dihedral && dihedral && isPerceptual(ix.signal) && ix.signal.supportsDihedral) {
      const byName = {} as Record<DihedralName, Uint8Array>;
      for (const t of DIHEDRAL_NAMES) byName[t] = ix.signal.parse(dihedral[t]);
      return queryDihedral(index, byName, ix.threshold).map((m) => ({
        id: m.id,
        distance: m.distance,
        signal: name,
        transform: m.transform,
      }));
    }
    return index.query(hash, ix.threshold).map((m) => ({ ...m, signal: name, transform: null }));
  }

  /** A video's frames against the list videos: one match per list video whose shares reach the thresholds. */
  private matchVideo(frames: NonNullable<FileHashResult['video']>['frames']): MatchInfo[] {
    return this.videos!.query(frames).map((m) => ({
      list: m.id.list,
      entry: m.id.entry,
      category: m.id.category,
      signal: 'vpdq',
      distance: m.minDistance,
      transform: null,
      queryMatchPercent: m.queryMatchPercent,
      comparedMatchPercent: m.comparedMatchPercent,
    }));
  }

  private describe(raw: readonly RawMatch[]): MatchInfo[] {
    if (raw.length === 0) return [];
    const entries = this.store.entries([...new Set(raw.map((m) => m.id))]);
    return raw
      .map((m) => {
        const e = entries.get(m.id);
        return {
          list: e?.list ?? '?',
          entry: e?.externalId ?? null,
          category: e?.category ?? null,
          signal: m.signal,
          distance: m.distance,
          transform: m.transform,
        };
      })
      .filter((m) => categoryPasses(this.categories, m.category))
      .sort((a, b) => a.distance - b.distance || a.list.localeCompare(b.list) || a.signal.localeCompare(b.signal));
  }
}

export function isLowQuality(signal: SignalType, quality: number | undefined, flagged: boolean | undefined): boolean {
  if (flagged) return true;
  return isPerceptual(signal) && signal.minQuality !== null && quality !== undefined && quality < signal.minQuality;
}
