/**
 * vPDQ video matching as python-threatexchange does it (extensions/vpdq vpdq_brute_matcher.py and
 * vpdq_util.py): drop repeated frame hashes (first kept), drop frames under the quality cut-off,
 * count a frame as matched when some frame of the other video is within the distance (inclusive);
 * a video matches when the query's matched share and the compared video's matched share reach
 * their thresholds. Unlike python-threatexchange, an empty side gives 0 % (never a division by
 * zero) and never matches. `VpdqIndex` puts every list frame in one PDQ Hamming index
 * (frame → video) so a query only compares against the videos its frames hit.
 */
import { invalidParameterError } from '../errors.js';
import { buildHammingIndex, type HammingIndex } from '../search/index.js';
import { hammingBytes, parseHex } from '../signals/hex.js';
import {
  VPDQ_COMPARED_MATCH_PERCENT,
  VPDQ_FRAME_THRESHOLD,
  VPDQ_MIN_QUALITY,
  VPDQ_QUERY_MATCH_PERCENT,
} from '../signals/vpdq.js';

const FRAME_BYTES = 32;

export interface VpdqMatchOptions {
  /** Largest Hamming distance at which two frames match (inclusive). */
  readonly frameThreshold: number;
  /** Frames below this quality are dropped before comparing. */
  readonly minQuality: number;
  /** The share of the query's frames that must match, in percent. */
  readonly queryMatchPercent: number;
  /** The share of the compared (list) video's frames that must match, in percent. */
  readonly comparedMatchPercent: number;
}

export const DEFAULT_VPDQ_MATCH: VpdqMatchOptions = Object.freeze({
  frameThreshold: VPDQ_FRAME_THRESHOLD,
  minQuality: VPDQ_MIN_QUALITY,
  queryMatchPercent: VPDQ_QUERY_MATCH_PERCENT,
  comparedMatchPercent: VPDQ_COMPARED_MATCH_PERCENT,
});

/** Defaults applied and checked; throws UsageError on a bad value. */
export function resolveMatchOptions(o: Partial<VpdqMatchOptions> = {}): VpdqMatchOptions {
  const r = { ...DEFAULT_VPDQ_MATCH, ...o };
  if (!Number.isInteger(r.frameThreshold) || r.frameThreshold < 0 || r.frameThreshold > 256) {
    throw invalidParameterError('frameThreshold', 'integer 0..256', r.frameThreshold);
  }
  if (!Number.isFinite(r.minQuality) || r.minQuality < 0 || r.minQuality > 100) throw invalidParameterError('minQuality', 'number 0..100', r.minQuality);
  for (const k of ['queryMatchPercent', 'comparedMatchPercent'] as const) {
    if (!Number.isFinite(r[k]) || r[k] < 0 || r[k] > 100) throw invalidParameterError(k, 'percentage 0..100', r[k]);
  }
  return r;
}

/** A frame's hash (hex or 32 bytes) and quality; other fields are ignored. */
export interface FrameInput {
  readonly hash: string | Uint8Array;
  readonly quality: number;
}

/** The frames a comparison uses: distinct hashes (first occurrence kept), then quality >= minQuality. */
export function prepareFrames(frames: readonly FrameInput[], minQuality: number): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const bytes = typeof f.hash === 'string' ? parseHex(f.hash, 256, 'vpdq') : f.hash;
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
    if (seen.has(key)) continue;
    seen.add(key);
    if (f.quality >= minQuality) out.push(bytes);
  }
  return out;
}

export interface VpdqComparison {
  /** Share of the query's prepared frames with a match, 0..100. */
  readonly queryMatchPercent: number;
  /** Share of the compared video's prepared frames with a match, 0..100. */
  readonly comparedMatchPercent: number;
  /** Both shares reach their thresholds (and neither side is empty). */
  readonly matched: boolean;
}

function percent(count: number, of: number): number {
  return of === 0 ? 0 : (count * 100) / of;
}

/** The decision from matched-frame counts. */
export function decide(queryHits: number, queryCount: number, comparedHits: number, comparedCount: number, o: VpdqMatchOptions): VpdqComparison {
  const q = percent(queryHits, queryCount);
  const c = percent(comparedHits, comparedCount);
  const matched = queryCount > 0 && comparedCount > 0 && q >= o.queryMatchPercent && c >= o.comparedMatchPercent;
  return { queryMatchPercent: q, comparedMatchPercent: c, matched };
}

/** Brute-force comparison of two prepared frame sets (the reference the index is tested against). */
export function comparePrepared(query: readonly Uint8Array[], compared: readonly Uint8Array[], o: VpdqMatchOptions): VpdqComparison {
  const queryHit = new Uint8Array(query.length);
  const comparedHit = new Uint8Array(compared.length);
  for (let i = 0; i < query.length; i++) {
    for (let j = 0; j < compared.length; j++) {
      if (hammingBytes(query[i], compared[j]) <= o.frameThreshold) {
        queryHit[i] = 1;
        comparedHit[j] = 1;
      }
    }
  }
  const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
  return decide(sum(queryHit), query.length, sum(comparedHit), compared.length, o);
}

/** Compare two videos' frames as python-threatexchange does. */
export function compareVideos(query: readonly FrameInput[], compared: readonly FrameInput[], options: Partial<VpdqMatchOptions> = {}): VpdqComparison {
  const o = resolveMatchOptions(options);
  return comparePrepared(prepareFrames(query, o.minQuality), prepareFrames(compared, o.minQuality), o);
}

/** One list video: an id the caller understands and its frames. */
export interface ListVideo<Id> {
  readonly id: Id;
  readonly frames: readonly FrameInput[];
}

export interface VideoMatch<Id> extends VpdqComparison {
  readonly id: Id;
  /** Prepared frame counts on each side. */
  readonly queryFrames: number;
  readonly comparedFrames: number;
  /** The smallest distance between a query frame and one of this video's frames. */
  readonly minDistance: number;
}

/**
 * Every list video's prepared frames in one Hamming index. A query looks up each of its frames
 * once; the hits name the candidate videos and, per candidate, which frames matched on each side,
 * which is exactly the brute-force comparison restricted to pairs within the distance.
 */
export class VpdqIndex<Id> {
  private constructor(
    private readonly index: HammingIndex | null,
    /** Video number of each indexed frame. */
    private readonly owner: Uint32Array,
    private readonly ids: readonly Id[],
    private readonly counts: Uint32Array,
    readonly options: VpdqMatchOptions,
  ) {}

  static build<Id>(videos: readonly ListVideo<Id>[], options: Partial<VpdqMatchOptions> = {}): VpdqIndex<Id> {
    const o = resolveMatchOptions(options);
    const prepared = videos.map((v) => prepareFrames(v.frames, o.minQuality));
    const total = prepared.reduce((s, p) => s + p.length, 0);
    const bytes = new Uint8Array(new ArrayBuffer(Math.max(8, total * FRAME_BYTES)), 0, total * FRAME_BYTES);
    const owner = new Uint32Array(total);
    const counts = new Uint32Array(videos.length);
    let k = 0;
    prepared.forEach((frames, v) => {
      counts[v] = frames.length;
      for (const f of frames) {
        bytes.set(f, k * FRAME_BYTES);
        owner[k++] = v;
      }
    });
    const ids = Uint32Array.from({ length: total }, (_, i) => i);
    const index = total === 0 ? null : buildHammingIndex({ bits: 256, count: total, bytes, ids }, { radius: o.frameThreshold });
    return new VpdqIndex(index, owner, videos.map((v) => v.id), counts, o);
  }

  /** Videos in the index. */
  get size(): number {
    return this.ids.length;
  }

  /** Frames in the index (after de-duplication and the quality cut-off). */
  get frameCount(): number {
    return this.owner.length;
  }

  /**
   * The list videos this query video matches (or, with `all`, every candidate any frame hit,
   * with its percentages), best query share first.
   */
  query(frames: readonly FrameInput[], all = false): VideoMatch<Id>[] {
    const o = this.options;
    const query = prepareFrames(frames, o.minQuality);
    if (!this.index || query.length === 0) return [];
    // Per candidate video: which query frames hit it, which of its frames were hit.
    const queryHits = new Map<number, Set<number>>();
    const comparedHits = new Map<number, Set<number>>();
    const nearest = new Map<number, number>();
    query.forEach((q, qi) => {
      for (const m of this.index!.query(q, o.frameThreshold)) {
        const v = this.owner[m.id];
        nearest.set(v, Math.min(nearest.get(v) ?? m.distance, m.distance));
        let qs = queryHits.get(v);
        if (!qs) {
          qs = new Set();
          queryHits.set(v, qs);
          comparedHits.set(v, new Set());
        }
        qs.add(qi);
        comparedHits.get(v)!.add(m.id);
      }
    });
    const out: VideoMatch<Id>[] = [];
    for (const [v, qs] of queryHits) {
      const d = decide(qs.size, query.length, comparedHits.get(v)!.size, this.counts[v], o);
      if (d.matched || all) out.push({ id: this.ids[v], ...d, queryFrames: query.length, comparedFrames: this.counts[v], minDistance: nearest.get(v)! });
    }
    return out.sort((a, b) => b.queryMatchPercent - a.queryMatchPercent || b.comparedMatchPercent - a.comparedMatchPercent);
  }
}
