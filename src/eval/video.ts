/**
 * `eval --video`: what vPDQ matching survives, on synthetic videos made with ffmpeg's lavfi
 * sources. The first `transformed` sources go through every transform and each copy is compared
 * with its source (true-positive rate per transform); every source is compared with every other,
 * both ways (false-positive rate). Videos live in a temporary folder removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VpdqFrame } from '../signals/vpdq.js';
import { hashVideoFile } from '../video/hash.js';
import { compareVideos, resolveMatchOptions, type VpdqMatchOptions } from '../video/match.js';
import { makeVideo, sourceGraph, SOURCES, transformVideo, VIDEO_TRANSFORMS } from '../video/synthetic.js';
import { clopperPearson } from './stats.js';

export interface VideoEvalSize {
  readonly sources: number;
  readonly transformed: number;
  readonly seconds: number;
  /** Transform names (default all of VIDEO_TRANSFORMS). */
  readonly transforms?: readonly string[];
}

export const VIDEO_FULL_SIZE: VideoEvalSize = Object.freeze({ sources: 24, transformed: 8, seconds: 6 });
export const VIDEO_QUICK_SIZE: VideoEvalSize = Object.freeze({ sources: 6, transformed: 2, seconds: 4 });

export interface VideoTransformOutcome {
  readonly id: string;
  readonly n: number;
  readonly matched: number;
  readonly tpRate: number;
  readonly tpRate95: readonly [number, number];
  /** Median query match percent over the copies. */
  readonly medianQueryPercent: number;
}

export interface VideoEvalResult {
  readonly seed: number;
  readonly size: VideoEvalSize;
  readonly match: VpdqMatchOptions;
  readonly transforms: readonly VideoTransformOutcome[];
  /** Ordered pairs of distinct sources compared. */
  readonly unrelatedPairs: number;
  readonly falsePositives: number;
  readonly fpRate: number;
  readonly fpRate95: readonly [number, number];
  /** Sources whose frames are all below the quality cut-off (they can match nothing). */
  readonly lowQualitySources: number;
  readonly seconds: number;
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Which lavfi source and seed the i-th eval source uses (low-quality gradients only in the unrelated set). */
function sourceOf(i: number, seed: number, transformed: boolean): { source: (typeof SOURCES)[number]; seed: number } {
  const usable = transformed ? SOURCES.filter((s) => s !== 'gradients') : SOURCES;
  return { source: usable[i % usable.length], seed: seed * 1000 + i };
}

export async function runVideoEval(
  seed: number,
  size: VideoEvalSize,
  match: Partial<VpdqMatchOptions> = {},
  onProgress?: (done: number, total: number) => void,
): Promise<VideoEvalResult> {
  const options = resolveMatchOptions(match);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'hashsieve-eval-video-'));
  try {
    const frames: (readonly VpdqFrame[])[] = [];
    const perTransform = new Map<string, { matched: number; n: number; percents: number[] }>();
    const names = size.transforms ?? Object.keys(VIDEO_TRANSFORMS);
    const total = size.sources + size.transformed * names.length;
    let done = 0;
    for (let i = 0; i < size.sources; i++) {
      const { source, seed: s } = sourceOf(i, seed, i < size.transformed);
      const side = i % 2 === 0 ? '320x240' : '256x192';
      const src = makeVideo(join(dir, `src${i}.mp4`), sourceGraph(source, side, i % 3 === 0 ? '30000/1001' : '25', size.seconds, s));
      const own = (await hashVideoFile(src)).frames;
      frames.push(own);
      onProgress?.(++done, total);
      if (i >= size.transformed) continue;
      for (const t of names) {
        const copy = (await hashVideoFile(transformVideo(src, dir, t, `src${i}-`))).frames;
        const c = compareVideos(copy, own, options);
        const o = perTransform.get(t) ?? { matched: 0, n: 0, percents: [] };
        o.n++;
        if (c.matched) o.matched++;
        o.percents.push(c.queryMatchPercent);
        perTransform.set(t, o);
        onProgress?.(++done, total);
      }
    }
    let pairs = 0;
    let fp = 0;
    for (let a = 0; a < frames.length; a++) {
      for (let b = 0; b < frames.length; b++) {
        if (a === b) continue;
        pairs++;
        if (compareVideos(frames[a], frames[b], options).matched) fp++;
      }
    }
    const transforms = [...perTransform].map(([id, o]) => ({
      id,
      n: o.n,
      matched: o.matched,
      tpRate: o.n === 0 ? 0 : o.matched / o.n,
      tpRate95: clopperPearson(o.matched, o.n),
      medianQueryPercent: median(o.percents),
    }));
    return {
      seed,
      size,
      match: options,
      transforms,
      unrelatedPairs: pairs,
      falsePositives: fp,
      fpRate: pairs === 0 ? 0 : fp / pairs,
      fpRate95: clopperPearson(fp, pairs),
      lowQualitySources: frames.filter((f) => f.every((x) => x.quality < options.minQuality)).length,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function formatVideoEval(r: VideoEvalResult): string {
  const lines = [
    `vpdq eval: ${r.size.sources} synthetic videos of ${r.size.seconds} s (seed ${r.seed}), ${r.size.transformed} through every transform; ` +
      `frame distance <= ${r.match.frameThreshold}, quality >= ${r.match.minQuality}, query >= ${r.match.queryMatchPercent}%, compared >= ${r.match.comparedMatchPercent}%`,
    'transform  matched  TPR      95% CI            median query %',
    ...r.transforms.map(
      (t) =>
        `${t.id.padEnd(10)} ${`${t.matched}/${t.n}`.padEnd(8)} ${pct(t.tpRate).padEnd(8)} ${`${pct(t.tpRate95[0])}-${pct(t.tpRate95[1])}`.padEnd(17)} ${t.medianQueryPercent.toFixed(1)}`,
    ),
    `unrelated: ${r.falsePositives} false positives in ${r.unrelatedPairs} ordered pairs (FPR ${pct(r.fpRate)}, 95% CI ${pct(r.fpRate95[0])}-${pct(r.fpRate95[1])}); ${r.lowQualitySources} sources entirely below the quality cut-off`,
    `(${r.seconds.toFixed(1)} s)`,
  ];
  return `${lines.join('\n')}\n`;
}
