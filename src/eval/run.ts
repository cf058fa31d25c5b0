/**
 * The robustness and false-positive evaluation. Synthetic sources are generated from one seed;
 * the first `transformedSources` of them go through every transform and each result is compared
 * with its own source (same-source pairs), and every source is compared with every other
 * (unrelated pairs). All counting goes into distance histograms, so the outcome does not depend
 * on the order in which concurrent work finishes.
 */
import type { Transform } from '../synthetic/transforms.js';
import { DIHEDRAL_NAMES, type PerceptualResult, type PerceptualSignalType } from '../signals/types.js';
import type { ImageHasher } from './hashing.js';
import { allPairsHistogram, allPairsMinHistogram, packHashes } from './pairs.js';
import { deriveSeed, mulberry32, randomInt } from '../synthetic/prng.js';
import { evalSource } from './sources.js';
import {
  addDistance,
  clopperPearson,
  countAtMost,
  histogramTotal,
  rate,
  summarize,
  upperBound,
  type DistanceSummary,
} from './stats.js';

export interface EvalSize {
  /** Distinct sources compared all-pairs for false positives (n gives n(n-1)/2 pairs). */
  readonly unrelatedSources: number;
  /** How many of those sources also go through every transform. */
  readonly transformedSources: number;
  /** Source sides are drawn uniformly from [minSide, maxSide]. */
  readonly minSide: number;
  readonly maxSide: number;
}

export const FULL_SIZE: EvalSize = Object.freeze({ unrelatedSources: 1500, transformedSources: 60, minSide: 256, maxSide: 512 });
export const QUICK_SIZE: EvalSize = Object.freeze({ unrelatedSources: 60, transformedSources: 3, minSide: 128, maxSide: 256 });

/** One way of matching: a signal, optionally querying all 8 dihedral hashes (min distance wins). */
export interface Variant {
  readonly id: string;
  readonly signal: PerceptualSignalType;
  readonly dihedral: boolean;
}

export function variantsOf(signals: readonly PerceptualSignalType[]): Variant[] {
  return signals.flatMap((signal) => [
    { id: signal.name, signal, dihedral: false },
    ...(signal.supportsDihedral ? [{ id: `${signal.name}-dihedral`, signal, dihedral: true }] : []),
  ]);
}

export interface TransformOutcome {
  readonly id: string;
  /** Transformed images compared with their source. */
  readonly n: number;
  /** Within the threshold and not low quality. */
  readonly matched: number;
  readonly tpRate: number;
  /** Two-sided 95% Clopper-Pearson interval for the true-positive rate. */
  readonly tpRate95: readonly [number, number];
  /** Transformed images whose hash was below the signal's quality cut-off (never matched). */
  readonly lowQuality: number;
  readonly distance: DistanceSummary;
  readonly histogram: readonly number[];
  /** The true-positive rate at the recommended threshold (see VariantReport.recommended). */
  readonly tpRateAtRecommended: number | null;
}

export interface ThresholdRow {
  readonly threshold: number;
  /** Pooled over every transformed image of every transform. */
  readonly tpRate: number;
  readonly fp: number;
  readonly fpRate: number;
  /** One-sided 95% Clopper-Pearson upper bound on the false-positive rate per pair. */
  readonly fpRateUpper95: number;
}

export interface VariantReport {
  readonly id: string;
  readonly signal: string;
  readonly dihedral: boolean;
  readonly bits: number;
  readonly threshold: number;
  readonly minQuality: number | null;
  /** Sources (of the unrelated set) whose own hash was below the quality cut-off; still counted in pairs. */
  readonly lowQualitySources: number;
  /** The sources' quality scores (0..100), for signals that have one. */
  readonly sourceQuality: DistanceSummary | null;
  readonly transforms: readonly TransformOutcome[];
  /** Same-source distances pooled by kind: rotations/mirrors, and everything else. */
  readonly sameSource: { readonly dihedral: readonly number[]; readonly other: readonly number[] };
  readonly unrelated: {
    readonly pairs: number;
    readonly distance: DistanceSummary;
    readonly histogram: readonly number[];
    readonly fp: number;
    readonly fpRate: number;
    readonly fpRateUpper95: number;
  };
  readonly thresholds: readonly ThresholdRow[];
  /** The largest grid threshold at which no unrelated pair matched. */
  readonly largestZeroFpThreshold: number | null;
  /** See RECOMMENDATION_RULE; null when even distance 0 matched an unrelated pair. */
  readonly recommended: ThresholdRow | null;
}

export const RECOMMENDATION_RULE =
  'the default threshold if no unrelated pair matched at it, otherwise the largest threshold on the grid (multiples of 4) at which none did';

export interface EvalResult {
  readonly variants: readonly VariantReport[];
  readonly timing: { readonly hashingSeconds: number; readonly pairsSeconds: number };
}

export interface EvalInput {
  readonly seed: number;
  readonly size: EvalSize;
  readonly signals: readonly PerceptualSignalType[];
  readonly transforms: readonly Transform[];
  /** Must compute dihedral hashes for every signal that supports them. */
  readonly hasher: ImageHasher;
  /** Sources in flight at once (overlaps sharp's threads with hashing); does not change results. */
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

const THRESHOLD_STEP = 4;

/** Every multiple of 4 up to half the bits, plus the default threshold. */
export function thresholdGrid(bits: number, defaultThreshold: number): number[] {
  const grid = new Set<number>([defaultThreshold]);
  for (let t = 0; t <= bits / 2; t += THRESHOLD_STEP) grid.add(t);
  return [...grid].sort((a, b) => a - b);
}

function isLowQuality(signal: PerceptualSignalType, r: PerceptualResult): boolean {
  return signal.minQuality !== null && r.quality !== undefined && r.quality < signal.minQuality;
}

function dihedralList(signal: PerceptualSignalType, r: PerceptualResult): Uint8Array[] {
  if (!r.dihedral) throw new Error(`eval: the hasher returned no dihedral hashes for ${signal.name}`);
  const d = r.dihedral;
  return DIHEDRAL_NAMES.map((n) => d[n]);
}

function sameSourceDistance(v: Variant, query: PerceptualResult, source: PerceptualResult): number {
  if (!v.dihedral) return v.signal.distance(query.hash, source.hash);
  return Math.min(...dihedralList(v.signal, query).map((h) => v.signal.distance(h, source.hash)));
}

interface Tally {
  readonly all: number[];
  readonly lowQuality: number[];
}

const newHist = (bits: number) => new Array<number>(bits + 1).fill(0);

export async function runEval(input: EvalInput): Promise<EvalResult> {
  const { seed, size, signals, transforms, hasher } = input;
  if (!(size.unrelatedSources >= 2 && size.transformedSources >= 0 && size.transformedSources <= size.unrelatedSources)) {
    throw new RangeError(`Expected 2 <= unrelatedSources and 0 <= transformedSources <= unrelatedSources but received ${JSON.stringify(size)}`);
  }
  const variants = variantsOf(signals);
  const total = size.unrelatedSources;
  const sourceResults = new Array<ReadonlyMap<string, PerceptualResult>>(total);
  const tallies = new Map<string, Tally[]>(
    variants.map((v) => [v.id, transforms.map(() => ({ all: newHist(v.signal.bits), lowQuality: newHist(v.signal.bits) }))]),
  );

  const started = performance.now();
  let next = 0;
  let done = 0;
  const work = async () => {
    while (next < total) {
      const i = next++;
      const sourceSeed = deriveSeed(seed, 'source', i);
      const rand = mulberry32(sourceSeed);
      const image = await evalSource(sourceSeed, randomInt(rand, size.minSide, size.maxSide), randomInt(rand, size.minSide, size.maxSide));
      const source = await hasher(image);
      sourceResults[i] = source;
      if (i < size.transformedSources) {
        for (const [ti, t] of transforms.entries()) {
          const edited = await t.apply(image, mulberry32(deriveSeed(seed, 'transform', i, t.id)));
          const query = await hasher(edited);
          for (const v of variants) {
            const q = query.get(v.signal.name)!;
            const tally = tallies.get(v.id)![ti];
            const d = sameSourceDistance(v, q, source.get(v.signal.name)!);
            addDistance(tally.all, d);
            if (isLowQuality(v.signal, q)) addDistance(tally.lowQuality, d);
          }
        }
      }
      input.onProgress?.(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.concurrency ?? 1) }, work));
  const hashingSeconds = (performance.now() - started) / 1000;

  const pairsStarted = performance.now();
  const reports = variants.map((v) => variantReport(v, transforms, tallies.get(v.id)!, sourceResults));
  const pairsSeconds = (performance.now() - pairsStarted) / 1000;
  return { variants: reports, timing: { hashingSeconds, pairsSeconds } };
}

function unrelatedHistogram(v: Variant, sources: readonly ReadonlyMap<string, PerceptualResult>[]): number[] {
  const results = sources.map((s) => s.get(v.signal.name)!);
  const bits = results[0].hash.length * 8;
  const references = packHashes(
    results.map((r) => r.hash),
    bits,
  );
  if (!v.dihedral) return Array.from(allPairsHistogram(references));
  const queries = packHashes(
    results.flatMap((r) => dihedralList(v.signal, r)),
    bits,
  );
  return Array.from(allPairsMinHistogram(queries, references, DIHEDRAL_NAMES.length));
}

const MAX_QUALITY = 100;

function qualitySummary(qualities: readonly (number | undefined)[]): DistanceSummary | null {
  if (qualities.some((q) => q === undefined)) return null;
  const hist = new Array<number>(MAX_QUALITY + 1).fill(0);
  for (const q of qualities) addDistance(hist, Math.round(q!));
  return summarize(hist);
}

function variantReport(
  v: Variant,
  transforms: readonly Transform[],
  tallies: readonly Tally[],
  sources: readonly ReadonlyMap<string, PerceptualResult>[],
): VariantReport {
  const threshold = v.signal.defaultThreshold;
  const matchedAt = (t: Tally, thr: number) => countAtMost(t.all, thr) - countAtMost(t.lowQuality, thr);
  const unrelated = unrelatedHistogram(v, sources);
  const pairs = summarize(unrelated).n;
  const sameSourceTotal = tallies.reduce((s, t) => s + histogramTotal(t.all), 0);
  const thresholds = thresholdGrid(v.signal.bits, threshold).map((thr): ThresholdRow => {
    const fp = countAtMost(unrelated, thr);
    const tp = tallies.reduce((s, t) => s + matchedAt(t, thr), 0);
    return { threshold: thr, tpRate: rate(tp, sameSourceTotal), fp, fpRate: rate(fp, pairs), fpRateUpper95: upperBound(fp, pairs) };
  });
  const zeroFp = thresholds.filter((r) => r.fp === 0);
  const largestZeroFp = zeroFp.length ? zeroFp[zeroFp.length - 1] : null;
  const atDefault = thresholds.find((r) => r.threshold === threshold)!;
  const recommended = atDefault.fp === 0 ? atDefault : largestZeroFp;
  const outcomes = transforms.map((tr, ti): TransformOutcome => {
    const t = tallies[ti];
    const distance = summarize(t.all);
    const matched = matchedAt(t, threshold);
    const atRecommended = recommended ? matchedAt(t, recommended.threshold) : null;
    return {
      id: tr.id,
      n: distance.n,
      matched,
      tpRate: rate(matched, distance.n),
      tpRate95: clopperPearson(matched, distance.n),
      lowQuality: histogramTotal(t.lowQuality),
      distance,
      histogram: t.all,
      tpRateAtRecommended: atRecommended === null ? null : rate(atRecommended, distance.n),
    };
  });
  const pooled = (family: 'dihedral' | 'other') => {
    const h = newHist(v.signal.bits);
    transforms.forEach((tr, ti) => {
      if ((tr.family === 'dihedral') === (family === 'dihedral')) tallies[ti].all.forEach((c, d) => (h[d] += c));
    });
    return h;
  };
  const fp = atDefault.fp;
  return {
    id: v.id,
    signal: v.signal.name,
    dihedral: v.dihedral,
    bits: v.signal.bits,
    threshold,
    minQuality: v.signal.minQuality,
    lowQualitySources: sources.filter((s) => isLowQuality(v.signal, s.get(v.signal.name)!)).length,
    sourceQuality: qualitySummary(sources.map((s) => s.get(v.signal.name)!.quality)),
    transforms: outcomes,
    sameSource: { dihedral: pooled('dihedral'), other: pooled('other') },
    unrelated: {
      pairs,
      distance: summarize(unrelated),
      histogram: unrelated,
      fp,
      fpRate: rate(fp, pairs),
      fpRateUpper95: upperBound(fp, pairs),
    },
    thresholds,
    largestZeroFpThreshold: largestZeroFp?.threshold ?? null,
    recommended,
  };
}

